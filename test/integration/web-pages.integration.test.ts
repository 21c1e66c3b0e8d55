import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_CONTENT_SECURITY_POLICY } from '../../src/adapters/http/web/web-routes.js';
import { pgliteTestDatabase, type TestDatabase } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database);
});
afterAll(() => database.dispose());

const get = (path: string) => harness.app.request(path);

describe.each(['/settings', '/settings/callback', '/docs'])('GET %s', (path) => {
  it('answers HTML that a strict Content-Security-Policy allows, and sends no Referer', async () => {
    const response = await get(path);
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=UTF-8');
    expect(response.headers.get('content-security-policy')).toBe(PAGE_CONTENT_SECURITY_POLICY);
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(page.startsWith('<!doctype html><html lang="en">')).toBe(true);
    // Every script and stylesheet is a same-origin file: no inline code, no CDN.
    expect(page).not.toMatch(/<script(?![^>]*\ssrc="\/assets\/)/);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/);
    expect(page.match(/(?:src|href)="[^"]*"/g)?.filter((link) => !/="(\/|#|data:,)/.test(link))).toEqual([]);
  });

  it('serves every file the page links to', async () => {
    const page = await (await get(path)).text();
    const files = [...page.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1] ?? '');
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      const response = await get(file);
      expect(response.status, file).toBe(200);
      expect(response.headers.get('content-type'), file).toMatch(/^text\/(javascript|css); charset=utf-8$/);
      expect(response.headers.get('x-content-type-options'), file).toBe('nosniff');
    }
  });
});

describe('GET /', () => {
  it('leads to the settings page while user_id names the user', async () => {
    const response = await get('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/settings');
  });

  it('leads to the API docs when the service takes the user from a JWT', async () => {
    const { app } = await createTestApp(database, { env: { AUTH_JWT_SECRET: 's'.repeat(32) } });
    const response = await app.request('/');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/docs');
  });
});

describe('GET /settings', () => {
  it('has a card per platform, in the capabilities order, with the actions each platform can have', async () => {
    const page = await (await get('/settings')).text();
    const cards = [...page.matchAll(/<section class="card" id="card-(\w+)"/g)].map((match) => match[1]);
    expect(cards).toEqual(['instagram', 'facebook', 'tiktok', 'email']);
    const actions = (platform: string) => {
      const card = page.slice(page.indexOf(`id="card-${platform}"`)).split('</section>')[0] ?? '';
      return [...card.matchAll(/data-action="([\w-]+)"/g)].map((match) => match[1]);
    };
    expect(actions('instagram')).toEqual([
      'connect',
      'connect-instagram',
      'reconnect',
      'validate',
      'disconnect',
    ]);
    expect(actions('email')).toEqual(['send-test', 'save-email', 'validate', 'disconnect']);
  });

  it('labels every input and describes it', async () => {
    const page = await (await get('/settings')).text();
    const inputs = [...page.matchAll(/<input id="([^"]+)"[^>]*aria-describedby="([^"]+)"/g)];
    expect(inputs.map((match) => match[1])).toEqual([
      'user-id',
      'email-email_address',
      'email-smtp_host',
      'email-smtp_port',
      'email-smtp_username',
      'email-smtp_password',
      'email-imap_host',
      'email-imap_port',
      'email-imap_username',
      'email-imap_password',
    ]);
    for (const [, id, described] of inputs) {
      expect(page).toContain(`<label for="${id}">`);
      expect(page).toContain(`id="${described}"`);
    }
  });

  it('posts the SMTP form, so a password can never land in a URL', async () => {
    const page = await (await get('/settings')).text();
    expect(page).toContain('<form class="email-form" method="post" novalidate=""');
  });
});

describe('GET /assets/*', () => {
  it.each([
    '/assets/missing.js',
    '/assets/../package.json',
    '/assets/%2e%2e/package.json',
    '/assets/swagger-ui/index.html',
    '/assets/swagger-ui/package.json',
  ])('answers 404 for %s', async (path) => {
    const response = await get(path);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      code: 'not_found',
      detail: expect.stringMatching(/^No route for GET /),
    });
  });
});
