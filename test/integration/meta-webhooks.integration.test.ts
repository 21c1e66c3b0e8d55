import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hubSignature, messagingDelivery, signedRequest } from '../fakes/meta-fake.js';
import { databaseDrivers, selectRows, type TestDatabase } from '../support/databases.js';
import { type LoopbackApp, serveOnLoopback } from '../support/loopback-app.js';
import {
  IG_ACCOUNT_ID,
  type OutreachHarness,
  PAGE_ID,
  PUBLIC_BASE_URL,
  startOutreachHarness,
} from '../support/outreach-harness.js';
import { createTestApp } from '../support/test-app.js';

const drivers = await databaseDrivers();
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let psidCounter = 0;
// Every test writes as a person of its own: all the harness's users share the fake's one Page.
const newPerson = () => `2400000000${String(Date.now() % 1e6).padStart(6, '0')}${psidCounter++}`;

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`Meta webhooks and callbacks on ${driver.name}`, () => {
    let database: TestDatabase;
    let h: OutreachHarness;
    let server: LoopbackApp;

    beforeAll(async () => {
      database = await driver.open();
      h = await startOutreachHarness(database);
      server = await serveOnLoopback(h.app.fetch);
      h.meta.webhookUrl = `${server.base}/webhooks/meta`;
    });
    afterAll(async () => {
      await server.close();
      await h.close();
      await database.dispose();
    });
    afterEach(() => h.meta.people.clear());

    const deliver = (body: string, headers: Record<string, string>) =>
      fetch(`${server.base}/webhooks/meta`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const signed = (body: string) => ({ 'x-hub-signature-256': hubSignature(h.meta.appSecret, body) });
    const check = async (user: string, platform: string, person: string) =>
      (await h.call('GET', `/api/outreach/${platform}/recipients/${person}?user_id=${user}`)).body;
    const events = async (user: string) =>
      (await h.call('GET', `/api/events?user_id=${user}&limit=100`)).body.events as {
        type: string;
        data: Record<string, unknown>;
      }[];
    const received = async (user: string) =>
      (await events(user)).filter((event) => event.type === 'message.received').map((event) => event.data);
    const metaCalls = () => h.meta.server.requestsTo('messages').length;
    const statuses = async (user: string) => {
      const { body } = await h.call('GET', `/api/integrations?user_id=${user}`);
      return (JSON.parse(body) as { platform: string; connection_status: string }[])
        .map((row) => [row.platform, row.connection_status])
        .sort();
    };
    const callback = (path: string, secret: string, payload: Record<string, unknown>) =>
      fetch(`${server.base}/webhooks/meta/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ signed_request: signedRequest(secret, payload) }).toString(),
      });
    const metaPayload = (userId: string) => ({
      algorithm: 'HMAC-SHA256',
      issued_at: Math.floor(Date.now() / 1000),
      user_id: userId,
    });

    describe('POST /webhooks/meta', () => {
      it('refuses a delivery without a signature, or with a wrong one, with 401, recording nothing', async () => {
        const user = await h.metaUser('facebook');
        const person = newPerson();
        const body = JSON.stringify(messagingDelivery('facebook', PAGE_ID, [{ from: person, text: 'hi' }]));
        const attempts = [
          {},
          { 'x-hub-signature-256': hubSignature('another-app-secret', body) },
          { 'x-hub-signature-256': hubSignature(h.meta.appSecret, `${body} `) },
          { 'x-hub-signature-256': hubSignature(h.meta.appSecret, body).replace('sha256=', 'sha1=') },
          { 'x-hub-signature-256': 'sha256=not-hex' },
        ];
        for (const headers of attempts) {
          const response = await deliver(body, headers);
          expect(response.status).toBe(401);
          expect(await response.json()).toEqual({
            code: 'unauthenticated',
            detail: "X-Hub-Signature-256 is missing or not signed with this app's secret.",
          });
        }
        expect(await check(user, 'facebook', person)).toMatchObject({ window: 'unknown' });
        expect(await received(user)).toEqual([]);
      });

      it('opens the window of a person who wrote to the Page: the pre-check reports when it closes', async () => {
        const user = await h.metaUser('facebook');
        const person = newPerson();
        const wrote = Date.now() - 2 * HOUR;
        expect(
          await h.meta.personWrites('facebook', PAGE_ID, { from: person, text: 'Hello!', at: wrote }),
        ).toBe(200);

        expect(await check(user, 'facebook', person)).toMatchObject({
          can_send: true,
          window: 'open',
          window_closes_at: new Date(wrote + DAY).toISOString(),
          human_agent_until: new Date(wrote + 7 * DAY).toISOString(),
        });
        expect(await received(user)).toEqual([
          {
            user_id: user,
            platform: 'facebook',
            sender: person,
            platform_message_id: expect.stringMatching(/^m_/),
            text: 'Hello!',
            received_at: new Date(wrote).toISOString(),
            in_reply_to: null,
          },
        ]);
      });

      it('opens the window on the Instagram integration whose account was written to', async () => {
        const user = await h.metaUser('instagram');
        const person = newPerson();
        await h.meta.personWrites('instagram', IG_ACCOUNT_ID, { from: person, text: 'DM' });

        expect(await check(user, 'instagram', person)).toMatchObject({ window: 'open' });
        expect(await received(user)).toMatchObject([{ platform: 'instagram', sender: person, text: 'DM' }]);
        // The Page's Messenger conversation with the same id is another window.
        expect(await check(user, 'facebook', person)).toMatchObject({ reason_code: 'not_connected' });
      });

      it('changes nothing for a redelivered mid: one event, the window as the first delivery left it', async () => {
        const user = await h.metaUser('facebook');
        const person = newPerson();
        const wrote = Date.now() - HOUR;
        const body = JSON.stringify(
          messagingDelivery('facebook', PAGE_ID, [
            { from: person, text: 'once', at: wrote, mid: `m_${person}` },
          ]),
        );
        const answers = await Promise.all([deliver(body, signed(body)), deliver(body, signed(body))]);
        expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
        expect((await deliver(body, signed(body))).status).toBe(200);

        expect(await received(user)).toHaveLength(1);
        const rows = await selectRows(
          database,
          sql`select count(*)::int as n from meta_received_messages where user_id = ${user} and mid = ${`m_${person}`}`,
        );
        expect(rows).toEqual([{ n: 1 }]);
        expect(await check(user, 'facebook', person)).toMatchObject({
          window_closes_at: new Date(wrote + DAY).toISOString(),
        });
      });

      it('ignores echoes, messages from the Page itself, unknown accounts and other kinds of items', async () => {
        const user = await h.metaUser('facebook');
        const person = newPerson();
        const echo = messagingDelivery('facebook', PAGE_ID, [{ from: person, text: 'ours', isEcho: true }]);
        const unknown = messagingDelivery('facebook', '199999999999999', [
          { from: person, text: 'elsewhere' },
        ]);
        const read = {
          object: 'page',
          entry: [{ id: PAGE_ID, messaging: [{ sender: { id: person }, read: { watermark: 1 } }] }],
        };
        const other = { object: 'whatsapp_business_account', entry: [{ id: PAGE_ID, changes: [] }] };
        for (const delivery of [echo, unknown, read, other]) {
          const body = JSON.stringify(delivery);
          expect((await deliver(body, signed(body))).status).toBe(200);
        }
        expect(await check(user, 'facebook', person)).toMatchObject({ window: 'unknown' });
        expect(await received(user)).toEqual([]);
      });

      it('refuses a signed body that is not JSON with 400, and a huge one with 413', async () => {
        const notJson = 'not json';
        expect((await deliver(notJson, signed(notJson))).status).toBe(400);
        const huge = JSON.stringify({ object: 'page', entry: [], padding: 'x'.repeat(1024 * 1024) });
        // In process: over a socket the service answers before reading it all, and closes the connection.
        const response = await h.app.request('/webhooks/meta', {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...signed(huge) },
          body: huge,
        });
        expect([response.status, (await response.json()).code]).toEqual([413, 'payload_too_large']);
      });
    });

    describe('sending within the window a webhook opened', () => {
      it('sends inside the window; outside it refuses without calling Meta; HUMAN_AGENT up to 7 days', async () => {
        const user = await h.metaUser('facebook');
        const recent = newPerson();
        const dayAgo = newPerson();
        const weekAgo = newPerson();
        await h.meta.personWrites('facebook', PAGE_ID, { from: recent, text: 'now', at: Date.now() - HOUR });
        await h.meta.personWrites('facebook', PAGE_ID, {
          from: dayAgo,
          text: 'old',
          at: Date.now() - 30 * HOUR,
        });
        await h.meta.personWrites('facebook', PAGE_ID, {
          from: weekAgo,
          text: 'older',
          at: Date.now() - 8 * DAY,
        });
        const dm = (recipient: string, tag?: string) => ({
          recipient_id: recipient,
          text: 'Thanks for writing',
          ...(tag === undefined ? {} : { tag }),
        });

        const calls = metaCalls();
        expect((await h.send(user, 'facebook', dm(recent))).status).toBe(201);
        expect(metaCalls()).toBe(calls + 1);

        const outside = await h.send(user, 'facebook', dm(dayAgo));
        expect([outside.status, outside.body.code]).toEqual([422, 'outside_messaging_window']);
        expect(await check(user, 'facebook', dayAgo)).toMatchObject({
          can_send: false,
          reason_code: 'outside_messaging_window',
          window: 'closed',
        });
        expect(metaCalls()).toBe(calls + 1);

        expect((await h.send(user, 'facebook', dm(dayAgo, 'HUMAN_AGENT'))).status).toBe(201);
        expect(h.meta.sentMessages.at(-1)).toMatchObject({ recipientId: dayAgo, tag: 'HUMAN_AGENT' });
        expect(metaCalls()).toBe(calls + 2);

        const late = await h.send(user, 'facebook', dm(weekAgo, 'HUMAN_AGENT'));
        expect([late.status, late.body.code]).toEqual([422, 'outside_messaging_window']);
        expect(metaCalls()).toBe(calls + 2);
      });

      it('reopens a window Meta closed when the person writes again', async () => {
        const user = await h.metaUser('facebook');
        const person = newPerson();
        await h.meta.personWrites('facebook', PAGE_ID, { from: person, text: 'hi', at: Date.now() - HOUR });
        await h.windows.recordClosed(user, 'facebook', person, null, new Date());
        expect(await check(user, 'facebook', person)).toMatchObject({ window: 'closed' });

        await h.meta.personWrites('facebook', PAGE_ID, {
          from: person,
          text: 'again',
          at: Date.now() + 1000,
        });
        expect(await check(user, 'facebook', person)).toMatchObject({ window: 'open' });
        expect((await h.send(user, 'facebook', { recipient_id: person, text: 'Welcome back' })).status).toBe(
          201,
        );
      });
    });

    describe('deauthorize and data deletion callbacks', () => {
      const metaUserIds = () => `1${String(Date.now()).slice(-9)}${psidCounter++}`;

      it('deauthorize: every integration the Meta user connected is revoked, with its events', async () => {
        const metaUserId = metaUserIds();
        const user = await h.metaUser('facebook', { metaUserId });
        await h.metaUser('instagram', { userId: user, metaUserId });
        const bystander = await h.metaUser('facebook', { metaUserId: metaUserIds() });

        const response = await callback('deauthorize', h.meta.appSecret, metaPayload(metaUserId));
        expect(response.status).toBe(200);

        expect(await statuses(user)).toEqual([
          ['facebook', 'revoked'],
          ['instagram', 'revoked'],
        ]);
        const types = (await events(user)).map((event) => [event.type, event.data.platform]);
        expect(types).toEqual(
          expect.arrayContaining([
            ['integration.status_changed', 'facebook'],
            ['integration.capability_changed', 'facebook'],
            ['integration.status_changed', 'instagram'],
            ['integration.capability_changed', 'instagram'],
          ]),
        );
        expect(
          (await events(user)).find((event) => event.type === 'integration.status_changed'),
        ).toMatchObject({
          data: { previous_status: 'connected', status: 'revoked', reason_code: 'token_revoked' },
        });
        const send = await h.send(user, 'facebook', { recipient_id: newPerson(), text: 'hi' });
        expect([send.status, send.body.code]).toEqual([409, 'token_revoked']);
        expect(await statuses(bystander)).toEqual([['facebook', 'connected']]);

        // Meta may call again: nothing changes, no more events.
        const before = (await events(user)).length;
        expect((await callback('deauthorize', h.meta.appSecret, metaPayload(metaUserId))).status).toBe(200);
        expect(await events(user)).toHaveLength(before);
      });

      it('refuses a signed_request that is missing, forged, or not HMAC-SHA256 with 401, changing nothing', async () => {
        const metaUserId = metaUserIds();
        const user = await h.metaUser('facebook', { metaUserId });
        const forged = [
          signedRequest('another-app-secret', metaPayload(metaUserId)),
          signedRequest(h.meta.appSecret, { ...metaPayload(metaUserId), algorithm: 'none' }),
          `${signedRequest(h.meta.appSecret, metaPayload(metaUserId))}x`,
          'no-dot',
          '',
        ];
        for (const path of ['deauthorize', 'data-deletion']) {
          for (const value of forged) {
            const response = await fetch(`${server.base}/webhooks/meta/${path}`, {
              method: 'POST',
              headers: { 'content-type': 'application/x-www-form-urlencoded' },
              body: new URLSearchParams({ signed_request: value }).toString(),
            });
            expect(response.status).toBe(401);
            expect(await response.json()).toMatchObject({ code: 'unauthenticated' });
          }
          const missing = await fetch(`${server.base}/webhooks/meta/${path}`, { method: 'POST' });
          expect(missing.status).toBe(401);
          // Signed, but naming the user as a JSON number (digits lost) or not at all.
          for (const user_id of [Number(metaUserId), undefined]) {
            const response = await callback(path, h.meta.appSecret, { ...metaPayload(metaUserId), user_id });
            expect([response.status, (await response.json()).code]).toEqual([400, 'invalid_request']);
          }
        }
        expect(await statuses(user)).toEqual([['facebook', 'connected']]);
      });

      it('data deletion: the integrations and their windows, messages and log go; the status page answers', async () => {
        const metaUserId = metaUserIds();
        const user = await h.metaUser('facebook', { metaUserId });
        const other = await h.metaUser('facebook');
        const person = newPerson();
        await h.meta.personWrites('facebook', PAGE_ID, { from: person, text: 'hi', at: Date.now() - HOUR });
        expect((await h.send(user, 'facebook', { recipient_id: person, text: 'Hello' })).status).toBe(201);

        const response = await callback('data-deletion', h.meta.appSecret, metaPayload(metaUserId));
        expect(response.status).toBe(200);
        const answer = await response.json();
        expect(answer).toEqual({
          url: `${PUBLIC_BASE_URL}/data-deletion/${answer.confirmation_code}`,
          confirmation_code: expect.stringMatching(/^[0-9a-f]{32}$/),
        });

        const count = async (table: string, userId: string) =>
          (
            await selectRows<{ n: number }>(
              database,
              sql`select count(*)::int as n from ${sql.identifier(table)} where user_id = ${userId}`,
            )
          )[0]?.n;
        for (const table of [
          'social_integrations',
          'outreach_windows',
          'meta_received_messages',
          'outreach_messages',
        ]) {
          expect([table, await count(table, user)]).toEqual([table, 0]);
        }
        // The other user holding the same Page keeps theirs.
        expect(await count('social_integrations', other)).toBe(1);
        expect(await count('outreach_windows', other)).toBe(1);
        expect((await events(user)).map((event) => event.type)).toContain('integration.deleted');

        const page = await fetch(`${server.base}/data-deletion/${answer.confirmation_code}`);
        expect(page.status).toBe(200);
        expect(page.headers.get('content-type')).toMatch(/^text\/html/);
        const text = await page.text();
        expect(text).toContain('Your data was deleted');
        expect(text).toContain('Facebook');
        expect(text).toContain(answer.confirmation_code);
        expect(text).not.toContain(metaUserId);

        const unknown = await fetch(`${server.base}/data-deletion/${'0'.repeat(32)}`);
        expect(unknown.status).toBe(404);
      });

      it('data deletion for a Meta user with nothing here still answers with a code and a status page', async () => {
        const response = await callback('data-deletion', h.meta.appSecret, metaPayload(metaUserIds()));
        const answer = await response.json();
        expect(response.status).toBe(200);
        const page = await fetch(`${server.base}/data-deletion/${answer.confirmation_code}`);
        expect(page.status).toBe(200);
        expect(await page.text()).toContain(
          'No account connected through your Facebook login was stored here',
        );
      });
    });

    it('answers 404 on every Meta route when the service has no Meta app or verify token', async () => {
      const bare = await serveOnLoopback((await createTestApp(database)).app.fetch);
      try {
        for (const path of ['/webhooks/meta', '/webhooks/meta/deauthorize', '/webhooks/meta/data-deletion']) {
          expect([path, (await fetch(`${bare.base}${path}`, { method: 'POST' })).status]).toEqual([
            path,
            404,
          ]);
        }
      } finally {
        await bare.close();
      }
    });
  });
}
