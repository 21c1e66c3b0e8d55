import { request as httpRequest } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emailBody } from '../support/api-routes.js';
import { pgliteTestDatabase, type TestDatabase } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

const ORIGIN = 'https://app.example.com';
const clock = { now: () => new Date('2026-03-01T12:00:00.000Z') };

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database, {
    clock,
    env: { CORS_ORIGINS: ORIGIN },
  });
});
afterAll(() => database.dispose());

describe('security headers on every response, errors included', () => {
  const send = (path: string, init: RequestInit = {}) => harness.app.request(path, init);
  const responses: [string, () => Promise<Response>, number][] = [
    ['200', async () => send('/api/integrations?user_id=h1'), 200],
    ['204', async () => send('/api/integrations/email?user_id=h1', { method: 'DELETE' }), 204],
    ['400', async () => send('/api/integrations'), 400],
    ['404', async () => send('/nowhere'), 404],
    [
      '413',
      async () =>
        send('/api/integrations?user_id=h2', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(emailBody('x'.repeat(70_000))),
        }),
      413,
    ],
    [
      '415',
      async () =>
        send('/api/integrations?user_id=h2', {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
          body: '{}',
        }),
      415,
    ],
    [
      '429',
      async () => {
        const { app } = await createTestApp(database, {
          clock,
          env: { RATE_LIMIT_PER_MINUTE: '1', RATE_LIMIT_OUTBOUND_PER_MINUTE: '0' },
        });
        await app.request('/api/integrations?user_id=h3');
        return app.request('/api/integrations?user_id=h3');
      },
      429,
    ],
    ['/healthz', async () => send('/healthz'), 200],
  ];

  it.each(responses)('%s', async (_, respond, status) => {
    const response = await respond();

    expect(response.status).toBe(status);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'cache-control': 'no-store',
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
    });
    expect(response.headers.has('x-powered-by')).toBe(false);
    if (status !== 204) expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });
});

describe('CORS only for the configured origins', () => {
  const preflight = (origin: string) =>
    harness.app.request('/api/integrations', {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'DELETE' },
    });

  it('echoes exactly a configured origin, with Vary: Origin', async () => {
    const response = await preflight(ORIGIN);
    const simple = await harness.app.request('/api/integrations?user_id=c1', { headers: { origin: ORIGIN } });

    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST,DELETE');
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(simple.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    expect(simple.headers.get('vary')).toContain('Origin');
  });

  it.each(['https://evil.example', 'null', 'https://app.example.com.evil.example', 'http://app.example.com'])(
    'never allows %s',
    async (origin) => {
      const response = await preflight(origin);
      const simple = await harness.app.request('/api/integrations?user_id=c2', { headers: { origin } });

      expect(response.headers.get('access-control-allow-origin')).toBeNull();
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('allows no cross-origin access at all without CORS_ORIGINS', async () => {
    const closed = await createTestApp(database);
    const response = await closed.app.request('/api/integrations?user_id=c3', {
      headers: { origin: ORIGIN },
    });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('body limit over a real socket', () => {
  let port: number;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    port = (server.address() as AddressInfo).port;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  /** Streams `bytes` of a JSON body in 16 KiB chunks with Transfer-Encoding: chunked (or a Content-Length). */
  function sendChunked(
    method: string,
    path: string,
    bytes: number,
    framing: 'chunked' | 'length' = 'chunked',
  ): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(
        // Node's client frames DELETE bodies only when asked to; a fresh connection each time, because the
        // server closes one whose body it refused to read.
        {
          agent: false,
          host: '127.0.0.1',
          port,
          method,
          path,
          headers: {
            'content-type': 'application/json',
            ...(framing === 'chunked'
              ? { 'transfer-encoding': 'chunked' }
              : { 'content-length': String(Math.ceil(bytes / (16 * 1024)) * 16 * 1024 + 20) }),
          },
        },
        (response) => {
          let body = '';
          response.on('data', (chunk) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        },
      );
      request.on('error', (error: NodeJS.ErrnoException) => {
        // The server may answer and close before the whole body is sent.
        if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
      });
      const chunk = 'x'.repeat(16 * 1024);
      request.write('{"smtp_password":"');
      for (let sent = 0; sent < bytes; sent += chunk.length) request.write(chunk);
      request.end('"}');
    });
  }

  it.each([
    ['a route that reads the body', 'POST', '/api/integrations?user_id=chunked'],
    ['a route that never reads it', 'DELETE', '/api/integrations/email?user_id=chunked'],
  ])('answers 413 to a chunked body over 64 KiB on %s', async (_, method, path) => {
    const response = await sendChunked(method, path, 1024 * 1024);

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({
      detail: 'The request body is larger than 64 KiB.',
      code: 'payload_too_large',
    });
  });

  it('answers 413 to a GET announcing a body over 64 KiB, as to any other method (issue 14)', async () => {
    const response = await sendChunked('GET', '/api/integrations?user_id=big-get', 1024 * 1024, 'length');

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'payload_too_large' });
  });

  it.each([
    ['a chunk size that is not hexadecimal', 'zz\r\nabc\r\n0\r\n\r\n'],
    ['a body cut off inside a chunk', '5\r\nab'],
  ])('answers %s with 400 and logs no unhandled error (issue 14)', async (_, chunks) => {
    const logsBefore = harness.logLines.length;
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1', () =>
        socket.end(
          `POST /api/integrations?user_id=te HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${chunks}`,
        ),
      );
      let text = '';
      socket.on('data', (data) => {
        text += data;
      });
      socket.on('close', () => resolve(text));
    });
    // The app's handler may still be reading when Node answers; give it the moment it needs to finish.
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const lines = harness.logLines.slice(logsBefore).map((line) => JSON.parse(line));
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });

  it.each([
    ['a route that reads the body', 'POST', '/api/integrations?user_id=length'],
    ['a route that never reads it', 'DELETE', '/api/integrations/email?user_id=length'],
  ])('answers 413 to a body whose Content-Length is over 64 KiB on %s', async (_, method, path) => {
    const response = await sendChunked(method, path, 1024 * 1024, 'length');

    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'payload_too_large' });
  });

  it.each(['chunked', 'length'] as const)('reads a %s body under the limit', async (framing) => {
    const response = await sendChunked(
      'POST',
      `/api/integrations?user_id=${framing}-small`,
      16 * 1024,
      framing,
    );
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toMatchObject({ code: 'invalid_request' });
  });
});

describe('duplicate keys in a JSON body (R21, issue 14)', () => {
  const post = (body: string) =>
    harness.app.request('/api/integrations?user_id=dup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });

  it.each([
    ['a top-level key', '{"platform":"email","smtp_password":"a","smtp_password":"CANARY"}', 'smtp_password'],
    ['a key spelt with an escape', '{"platform":"email","\\u0070latform":"tiktok"}', 'platform'],
    ['a nested key', '{"platform":"tiktok","metadata":{"a":1,"\\u0061":2}}', 'metadata.a'],
    ['a key in an array element', '{"metadata":{"list":[{"x":1},{"y":1,"y":2}]}}', 'metadata.list.1.y'],
  ])('refuses %s with a 400 naming it, before anything is called or saved', async (_, body, path) => {
    const response = await post(body);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      detail: `Invalid request: ${path} appears more than once.`,
      code: 'invalid_request',
      errors: [{ path, message: 'appears more than once in the same object' }],
    });
  });

  it('lets the same key through in different objects, and a key inside a string', async () => {
    const response = await post('{"platform":"tiktok","metadata":{"a":{"a":1},"b":"\\"a\\":1,\\"a\\":2"}}');
    // Refused for its missing token, not for a duplicate.
    expect(await response.json()).toMatchObject({
      code: 'invalid_request',
      errors: [{ path: 'access_token' }],
    });
  });
});
