import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertEvents } from '../../src/adapters/persistence/drizzle-event-log.js';
import { webhookDeliveries } from '../../src/adapters/persistence/schema.js';
import { nodeWebhookFetch } from '../../src/adapters/webhooks/node-webhook-fetch.js';
import { standardWebhookSender } from '../../src/adapters/webhooks/standard-webhook-sender.js';
import { recipientSuppressed } from '../../src/application/events.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';
import {
  HOLD,
  startWebhookReceiver,
  type WebhookReceiver,
  webhookSecret,
} from '../support/webhook-receiver.js';

const secret = webhookSecret();
const BODY = '{"type":"integration.deleted","timestamp":"2026-12-02T00:00:00.000Z","data":{}}';
/** A name whose only address is the receiver's loopback one, as a rebinding DNS answer would make it. */
const toLoopback = async () => ['127.0.0.1'];

let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver(secret);
});
afterAll(() => receiver.close());

/** The receiver's URL under another host name, for the resolver to answer. */
const named = (host: string, path: string) => {
  const url = new URL(receiver.url(path));
  url.hostname = host;
  return url.toString();
};

const sender = (allowPrivateHosts: boolean, resolve = toLoopback, timeoutMs = 5_000) =>
  standardWebhookSender({
    secrets: [secret],
    timeoutMs,
    fetch: nodeWebhookFetch({ allowPrivateHosts, resolve }),
  });

describe('the endpoint address policy at delivery (Node)', () => {
  it('refuses a name that resolves to a private address, and sends nothing', async () => {
    const outcome = await sender(false).send(named('hooks.example.test', '/rebound'), 'evt-1', BODY);
    expect(outcome).toEqual({ kind: 'failed', status: null, error: 'host not allowed' });
    const mixed = async () => ['93.184.216.34', '10.1.2.3'];
    expect(await sender(false, mixed).send(named('hooks.example.test', '/rebound'), 'evt-2', BODY)).toEqual({
      kind: 'failed',
      status: null,
      error: 'host not allowed',
    });
    expect(receiver.at('/rebound')).toEqual([]);
  });

  it('refuses loopback literals and localhost through the system resolver', async () => {
    const system = nodeWebhookFetch({ allowPrivateHosts: false });
    const send = standardWebhookSender({ secrets: [secret], timeoutMs: 5_000, fetch: system });
    for (const url of [
      receiver.url('/literal'),
      named('localhost', '/literal'),
      named('[::1]', '/literal'),
    ]) {
      expect(await send.send(url, 'evt-3', BODY)).toMatchObject({ error: 'host not allowed' });
    }
    expect(receiver.at('/literal')).toEqual([]);
  });

  it('with WEBHOOK_ALLOW_PRIVATE_HOSTS connects to the checked address, keeping the name as Host', async () => {
    const outcome = await sender(true).send(named('hooks.example.test', '/allowed'), 'evt-4', BODY);
    expect(outcome).toEqual({ kind: 'delivered', status: 200 });
    const [delivered] = receiver.at('/allowed');
    expect(delivered?.verified).toEqual(JSON.parse(BODY));
    expect(delivered?.id).toBe('evt-4');
  });

  it('answers a redirect without following it, and times out a receiver that never answers', async () => {
    receiver.script('/moved', [302]);
    receiver.script('/held', [HOLD]);
    expect(await sender(true).send(named('hooks.example.test', '/moved'), 'evt-5', BODY)).toEqual({
      kind: 'failed',
      status: 302,
      error: 'redirect refused',
    });
    expect(receiver.at('/moved/elsewhere')).toEqual([]);
    expect(
      await sender(true, toLoopback, 300).send(named('hooks.example.test', '/held'), 'evt-6', BODY),
    ).toEqual({ kind: 'failed', status: null, error: 'timeout' });
  });
});

for (const driver of await databaseDrivers()) {
  describe.skipIf(driver.skip)(`a configured endpoint refused at delivery on ${driver.name}`, () => {
    let database: TestDatabase;
    beforeAll(async () => {
      database = await driver.open();
    });
    afterAll(() => database.dispose());

    it('records the refusal as a failed attempt to retry, and the receiver gets nothing', async () => {
      // A name passes the start-up check; what it resolves to is judged only when connecting.
      const endpoint = named('hooks.example.test', '/configured').replace('http:', 'https:');
      const harness = await createTestApp(database, {
        env: { WEBHOOK_URLS: endpoint, WEBHOOK_SECRET: secret },
        webhookFetch: nodeWebhookFetch({ allowPrivateHosts: false, resolve: toLoopback }),
      });
      await insertEvents(database.handle.db, [
        recipientSuppressed(uniqueUserId(), 'a@example.com', 'manual'),
      ]);

      expect(await harness.jobs.deliverWebhooks()).toMatchObject({ delivered: 0, retrying: 1 });
      const rows = await database.handle.db
        .select({ status: webhookDeliveries.status, lastError: webhookDeliveries.lastError })
        .from(webhookDeliveries);
      expect(rows).toEqual([{ status: 'pending', lastError: 'host not allowed' }]);
      expect(receiver.at('/configured')).toEqual([]);
    });
  });
}
