import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { giveConsent } from '../fakes/consent.js';
import { serverDatabases } from '../support/databases.js';
import { connectionSummary } from '../support/http-json.js';
import { type PlatformFakes, startPlatformFakes } from '../support/platform-fakes.js';
import { type ServerProcess, startServer } from '../support/server-process.js';

const REDIRECT = 'http://localhost:5173/oauth/callback';

let fakes: PlatformFakes;
let workDir: string;

beforeAll(async () => {
  fakes = await startPlatformFakes([REDIRECT]);
  fakes.meta.pages = [
    { id: '100000000000003', name: 'Acme Studio', instagramAccountId: '17841400000000003' },
  ];
  workDir = mkdtempSync(join(tmpdir(), 'social-integrations-oauth-e2e-'));
});
afterAll(async () => {
  await fakes.close();
  rmSync(workDir, { recursive: true, force: true });
});

for (const database of await serverDatabases()) {
  describe.skipIf(database.skip)(`OAuth through the server process on ${database.name}`, () => {
    let server: ServerProcess;
    let dispose: () => Promise<void>;
    let base: string;
    const secretsSeen: string[] = [];

    beforeAll(async () => {
      const prepared = await database.open();
      dispose = prepared.dispose;
      server = await startServer({
        ...prepared.env,
        ...fakes.environment,
        DATA_DIR: mkdtempSync(join(workDir, 'data-')),
        OUTBOUND_TIMEOUT_MS: '3000',
        LOG_LEVEL: 'debug',
        // More OAuth calls than the default outbound limit allows in a minute; limits have their own tests.
        RATE_LIMIT_OUTBOUND_PER_MINUTE: '0',
      });
      base = `${server.baseUrl}/api/integrations`;
    }, 60_000);
    afterAll(async () => {
      await server?.stop();
      await dispose?.();
    });

    async function connect(platform: string, userId: string) {
      const started = await fetch(
        `${base}/oauth/${platform}/authorize?user_id=${userId}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      );
      expect(started.status).toBe(200);
      const { authorization_url, expires_at } = await started.json();
      expect(Date.parse(expires_at) - Date.now()).toBeGreaterThan(9 * 60_000);
      const back = await giveConsent(authorization_url);
      const code = back.searchParams.get('code') ?? '';
      const state = back.searchParams.get('state') ?? '';
      secretsSeen.push(code, state);
      const response = await fetch(`${base}/oauth/${platform}/callback?user_id=${userId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, state, redirect_uri: REDIRECT }),
      });
      return { authorizationUrl: new URL(authorization_url), response, text: await response.text() };
    }

    it('connects Instagram, Facebook and TikTok end to end', async () => {
      const instagram = await connect('instagram', 'dana');
      const facebook = await connect('facebook', 'dana');
      const tiktok = await connect('tiktok', 'dana');

      expect([instagram.response.status, facebook.response.status, tiktok.response.status]).toEqual([
        201, 201, 201,
      ]);
      expect(JSON.parse(instagram.text)).toMatchObject({
        page_id: '100000000000003',
        account_id: '17841400000000003',
        access_token: expect.stringMatching(/^\*\*\*\*.{4}$/),
      });
      expect(JSON.parse(facebook.text)).toMatchObject({ platform: 'facebook', page_id: '100000000000003' });
      const verifier = fakes.tiktok.server.requestsTo('token').at(-1)?.form.code_verifier ?? '';
      expect(tiktok.authorizationUrl.searchParams.get('code_challenge')).toBe(
        createHash('sha256').update(verifier).digest('base64url'),
      );
      expect(JSON.parse(tiktok.text)).toMatchObject({ account_id: fakes.tiktok.openId });

      const capabilities = await (await fetch(`${base}/capabilities?user_id=dana`)).json();
      expect(connectionSummary(capabilities)).toEqual([
        ['instagram', true, true],
        ['facebook', true, true],
        ['tiktok', true, false],
        ['email', false, false],
      ]);
      const validated = await fetch(`${base}/instagram/validate?user_id=dana`, { method: 'POST' });
      expect(await validated.json()).toMatchObject({
        valid: true,
        integration: { connection_status: 'connected' },
      });
    });

    it('refuses a redirect URI off the allowlist and a replayed state', async () => {
      const refused = await fetch(
        `${base}/oauth/tiktok/authorize?user_id=erin&redirect_uri=${encodeURIComponent(`${REDIRECT}/`)}`,
      );
      expect(refused.status).toBe(400);
      expect((await refused.json()).code).toBe('redirect_uri_not_allowed');

      const started = await (
        await fetch(
          `${base}/oauth/tiktok/authorize?user_id=erin&redirect_uri=${encodeURIComponent(REDIRECT)}`,
        )
      ).json();
      const back = await giveConsent(started.authorization_url);
      const body = JSON.stringify({
        code: back.searchParams.get('code'),
        state: back.searchParams.get('state'),
        redirect_uri: REDIRECT,
      });
      const post = () =>
        fetch(`${base}/oauth/tiktok/callback?user_id=erin`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      expect((await post()).status).toBe(201);
      expect((await post()).status).toBe(400);
    });

    it('logs no code, state, token or client secret', async () => {
      const output = server.output();
      const tokens = fakes.tiktok.server
        .requestsTo('user_info')
        .map((request) => String(request.headers.authorization).replace('Bearer ', ''));
      for (const secret of [...secretsSeen, ...tokens, fakes.meta.appSecret, fakes.tiktok.clientSecret]) {
        expect(output).not.toContain(secret);
      }
      expect(output).toContain('"path":"/api/integrations/oauth/tiktok/callback"');
    });
  });
}
