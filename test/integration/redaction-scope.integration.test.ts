import { type ClientRequest, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pgliteTestDatabase, type TestDatabase } from '../support/databases.js';
import { createTestApp } from '../support/test-app.js';

// The attack of issue 14: slow-bodied requests whose query strings carry hundreds of secret-named
// parameters, held open while another user's requests are logged.
const ATTACKERS = 100;
const PARAMETERS_EACH = 700;

let database: TestDatabase;
let harness: Awaited<ReturnType<typeof createTestApp>>;
let port: number;
let close: () => Promise<void>;

beforeAll(async () => {
  database = await pgliteTestDatabase();
  harness = await createTestApp(database);
  const server = serve({ fetch: harness.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  port = (server.address() as AddressInfo).port;
  close = () => new Promise((resolve) => server.close(() => resolve()));
});
afterAll(async () => {
  await close();
  await database.dispose();
});

const randomWord = () => Math.random().toString(36).slice(2, 10).padEnd(8, 'x');

/** A DELETE whose chunked body is started and never finished, so the request stays in flight. */
function openSlowRequest(query: string): ClientRequest {
  const request = httpRequest({
    agent: false,
    host: '127.0.0.1',
    port,
    method: 'DELETE',
    path: `/api/integrations/email?user_id=attacker&${query}`,
    headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
  });
  request.on('error', () => {});
  request.write('{"a":');
  return request;
}

async function victimGets(count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    const response = await fetch(`http://127.0.0.1:${port}/api/integrations?user_id=victim`);
    await response.arrayBuffer();
    expect(response.status).toBe(200);
  }
}

describe('redaction is scoped to the request that carried the secret', () => {
  // Intact lines show that no other request's values are scrubbed from them, so their cost does not grow
  // with what other callers send either (a speed check belongs to npm run bench, not to a test).
  it('keeps other users’ log lines intact while hostile requests hold secret-named values', async () => {
    const hostile = [
      openSlowRequest('password=request&token=integrations'),
      ...Array.from({ length: ATTACKERS }, () =>
        openSlowRequest(
          Array.from({ length: PARAMETERS_EACH }, (_, index) => `password${index}=${randomWord()}`).join('&'),
        ),
      ),
    ];
    // Every hostile request has reached the service (and registered whatever it registers).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const logsBefore = harness.logLines.length;

    await victimGets(30);
    const victimLines = harness.logLines
      .slice(logsBefore)
      .map((line) => JSON.parse(line))
      .filter((line) => line.msg === 'request' || line.msg === '[REDACTED]');
    for (const request of hostile) request.destroy();

    expect(victimLines).toHaveLength(30);
    for (const line of victimLines) {
      expect(line).toMatchObject({ msg: 'request', method: 'GET', path: '/api/integrations', status: 200 });
    }
  });
});
