import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleMessageLog } from '../../src/adapters/persistence/drizzle-message-log.js';
import type { Fault } from '../fakes/fake-http-server.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { uniqueUserId } from '../support/integration-builders.js';
import {
  type OutreachHarness,
  PUBLIC_BASE_URL,
  SMTP_USER,
  startOutreachHarness,
} from '../support/outreach-harness.js';
import { testConfig } from '../support/test-app.js';

const drivers = await databaseDrivers();
const HOUR = 3_600_000;
const PSID = '24000000000000001';
const DAILY_LIMIT = 3;
const LEASE_MS = testConfig().outreach.attemptLeaseMs;
const metaAnswer = (status: number, error: Record<string, number>): Fault => ({
  kind: 'answer',
  response: { status, body: { error } },
});

const dm = (overrides: Record<string, unknown> = {}) => ({
  recipient_id: PSID,
  text: 'Hi, thanks for writing',
  ...overrides,
});
const mail = (overrides: Record<string, unknown> = {}) => ({
  to: 'lead@example.org',
  subject: 'Following up',
  text: 'Plain text body',
  ...overrides,
});

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`outreach API on ${driver.name}`, () => {
    let database: TestDatabase;
    let h: OutreachHarness;

    beforeAll(async () => {
      database = await driver.open();
      h = await startOutreachHarness(database, { OUTREACH_EMAIL_DAILY_LIMIT: String(DAILY_LIMIT) });
    });
    afterAll(async () => {
      await h.close();
      await database.dispose();
    });
    afterEach(() => {
      h.meta.heal();
      h.meta.rateLimit = null;
      h.meta.people.clear();
      h.smtp.refused.clear();
    });

    const reachPerson = (platform: 'facebook' | 'instagram' = 'facebook', hoursAgo = 1) =>
      h.meta.people.set(PSID, { platform, lastMessageAt: Date.now() - hoursAgo * HOUR });
    const metaCalls = () => h.meta.server.requestsTo('messages').length;
    const auditCodes = async (userId: string) =>
      (await h.auditLog.listByActor(userId, { limit: 100, before: null }))
        .filter((entry) => entry.action === 'outreach.send')
        .map((entry) => [entry.outcome, entry.code]);

    // The message.* (or recipient.*) events the outbox holds for the user, as GET /api/events shows them.
    const messageEvents = async (userId: string, prefix = 'message.') => {
      const page = await h.call('GET', `/api/events?user_id=${userId}&limit=100`);
      return (page.body.events as { type: string; data: unknown }[])
        .filter((event) => event.type.startsWith(prefix))
        .map(({ type, data }) => ({ type, data }));
    };
    const suppressedEvent = (userId: string, recipient: string, reason: string) => ({
      type: 'recipient.suppressed',
      data: { user_id: userId, platform: 'email', recipient, reason },
    });

    describe('sending', () => {
      it('sends a Messenger reply: 201 MessageResponse, in the log, audited', async () => {
        const user = await h.metaUser('facebook');
        reachPerson();
        const sent = await h.send(user, 'facebook', dm());

        expect(sent.status).toBe(201);
        const accepted = h.meta.sentMessages.at(-1);
        expect(sent.body).toEqual({
          id: expect.any(String),
          user_id: user,
          platform: 'facebook',
          recipient: PSID,
          status: 'sent',
          platform_message_id: accepted?.messageId,
          error_code: null,
          idempotency_key: null,
          created_at: expect.any(String),
          sent_at: expect.any(String),
        });
        expect(accepted).toMatchObject({ recipientId: PSID, messagingType: 'RESPONSE' });
        const log = await h.call('GET', `/api/outreach/messages?user_id=${user}`);
        expect(log.body).toEqual({ messages: [sent.body], next_cursor: null });
        expect(await auditCodes(user)).toEqual([['success', null]]);
        expect(await messageEvents(user)).toEqual([
          { type: 'message.sent', data: { user_id: user, platform: 'facebook', message: sent.body } },
        ]);
      });

      it('sends an Instagram reply through the linked Page, and HUMAN_AGENT after 24 hours', async () => {
        const user = await h.metaUser('instagram');
        reachPerson('instagram', 30);
        const sent = await h.send(user, 'instagram', dm({ tag: 'HUMAN_AGENT' }));
        expect(sent.status).toBe(201);
        expect(h.meta.sentMessages.at(-1)).toMatchObject({
          messagingType: 'MESSAGE_TAG',
          tag: 'HUMAN_AGENT',
        });
      });

      it('sends email that the SMTP server receives with Message-ID and one-click unsubscribe', async () => {
        const user = await h.emailUser();
        const before = h.smtp.messages.length;
        const sent = await h.send(user, 'email', mail({ html: '<p>Hi</p>', reply_to: 'me@acme.example' }));

        expect(sent.status).toBe(201);
        expect(sent.body.platform_message_id).toBe(`<${sent.body.id}@acme.example>`);
        const received = h.smtp.messages.slice(before);
        expect(received).toHaveLength(1);
        expect(received[0]?.headers['message-id']).toBe(sent.body.platform_message_id);
        expect(received[0]?.headers['list-unsubscribe']).toMatch(
          new RegExp(`^<${PUBLIC_BASE_URL}/unsubscribe/[A-Za-z0-9_=-]+>$`),
        );
        expect(received[0]?.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
        expect(received[0]?.headers.from).toBe(SMTP_USER);
      });

      it('rejects bad bodies with 400 naming the field, before any call', async () => {
        const user = await h.metaUser();
        const calls = metaCalls();
        const cases = [
          [dm({ recipient_id: 'abc' }), 'recipient_id'],
          [dm({ text: 'x'.repeat(1001) }), 'text'],
          [dm({ tag: 'ACCOUNT_UPDATE' }), 'tag'],
          [dm({ extra: 1 }), '(body)'],
        ] as const;
        for (const [body, field] of cases) {
          const refused = await h.send(user, 'facebook', body);
          expect(refused.status).toBe(400);
          expect(refused.body.code).toBe('invalid_request');
          expect(refused.body.errors.map((error: { path: string }) => error.path)).toContain(field);
        }
        const emailer = await h.emailUser();
        const badSubject = await h.send(emailer, 'email', mail({ subject: 'a\r\nBcc: x@example.org' }));
        expect(badSubject.status).toBe(400);
        expect(badSubject.body.errors[0].path).toBe('subject');
        const badKey = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'has space' });
        expect(badKey.body.errors[0].path).toBe('Idempotency-Key');
        expect(metaCalls()).toBe(calls);
      });
    });

    describe('refusals: the capability policy (409, its own reason code; the platform is not called)', () => {
      const denied = [
        ['none connected', 'facebook', async () => uniqueUserId(), 'not_connected'],
        [
          'an expired token',
          'facebook',
          () => h.metaUser('facebook', { tokenExpiresAt: new Date(Date.now() - HOUR) }),
          'token_expired',
        ],
        [
          'a revoked token',
          'facebook',
          () => h.metaUser('facebook', { connectionStatus: 'revoked' }),
          'token_revoked',
        ],
        [
          'a missing scope',
          'facebook',
          () => h.metaUser('facebook', { scopesGranted: ['pages_show_list'] }),
          'missing_scope',
        ],
        ['no Page', 'facebook', () => h.metaUser('facebook', { pageId: null }), 'page_not_linked'],
        [
          'a personal Instagram account',
          'instagram',
          () => h.metaUser('instagram', { accountId: null }),
          'not_business_account',
        ],
        [
          'a failed last check',
          'facebook',
          () => h.metaUser('facebook', { connectionStatus: 'error' }),
          'validation_failed',
        ],
        ['TikTok', 'tiktok', async () => uniqueUserId(), 'dm_not_supported'],
        ['email, none connected', 'email', async () => uniqueUserId(), 'not_connected'],
      ] as const;

      it.each(denied)('%s', async (_name, platform, arrange, code) => {
        const user = await arrange();
        const capability = await h.call('GET', `/api/integrations/${platform}/capabilities?user_id=${user}`);
        const calls = metaCalls();
        const mails = h.smtp.messages.length;
        const refused = await h.send(user, platform, platform === 'email' ? mail() : dm());

        expect(refused.status).toBe(409);
        expect(refused.body).toEqual({ code, detail: capability.body.reason });
        expect(capability.body.reason_code).toBe(code);
        expect(metaCalls()).toBe(calls);
        expect(h.smtp.messages.length).toBe(mails);
        expect(await auditCodes(user)).toEqual([['failure', code]]);
      });
    });

    describe('refusals: idempotency', () => {
      it('replays a sent key with the same body (200, Idempotent-Replayed) and sends nothing', async () => {
        const user = await h.metaUser();
        reachPerson();
        const first = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-7' });
        const calls = metaCalls();
        const again = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-7' });

        expect(first.status).toBe(201);
        expect(first.body.idempotency_key).toBe('order-7');
        expect(again.status).toBe(200);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(again.body).toEqual(first.body);
        expect(metaCalls()).toBe(calls);
      });

      it('422 idempotency_key_reused for the key with another body', async () => {
        const user = await h.metaUser();
        reachPerson();
        await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-8' });
        const calls = metaCalls();
        const reused = await h.send(user, 'facebook', dm({ text: 'Something else' }), {
          'idempotency-key': 'order-8',
        });
        expect([reused.status, reused.body.code]).toEqual([422, 'idempotency_key_reused']);
        expect(metaCalls()).toBe(calls);
      });

      it('409 idempotency_key_in_use while the first request is in flight; a failed key may be reused', async () => {
        const user = await h.metaUser();
        reachPerson();
        h.meta.fail('messages', { kind: 'slow', ms: 300 });
        const [first, second] = await Promise.all([
          h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-9' }),
          new Promise((resolve) => setTimeout(resolve, 100)).then(() =>
            h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-9' }),
          ),
        ]);
        expect(first.status).toBe(201);
        expect([second.status, second.body.code]).toEqual([409, 'idempotency_key_in_use']);

        h.meta.fail('messages', { kind: 'answer', response: { status: 503, body: {} } });
        const failed = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-10' });
        expect(failed.status).toBe(502);
        h.meta.heal();
        const retried = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-10' });
        expect(retried.status).toBe(201);
      });

      it('20 concurrent requests with one key send exactly one message', async () => {
        const user = await h.metaUser();
        reachPerson();
        h.meta.fail('messages', { kind: 'slow', ms: 50 });
        const before = h.meta.sentMessages.length;
        const answers = await Promise.all(
          Array.from({ length: 20 }, () => h.send(user, 'facebook', dm(), { 'idempotency-key': 'burst-1' })),
        );
        expect(h.meta.sentMessages.length - before).toBe(1);
        const statuses = answers.map((answer) => answer.status).sort();
        expect(statuses.filter((status) => status === 201)).toHaveLength(1);
        expect(statuses.every((status) => [200, 201, 409].includes(status))).toBe(true);
        const log = await h.call('GET', `/api/outreach/messages?user_id=${user}`);
        expect(log.body.messages).toHaveLength(1);
      });

      it('takes over a key whose attempt outlived its lease (its instance died): sent once, the abandoned attempt announces nothing', async () => {
        const user = await h.metaUser();
        reachPerson();
        // Another instance claimed these keys through the same table and never settled them.
        const otherInstance = new DrizzleMessageLog(database.handle.db);
        const claim = (key: string, claimedAt: number) =>
          otherInstance.claim(
            { userId: user, platform: 'facebook', recipient: PSID, idempotencyKey: key, requestHash: 'h' },
            new Date(claimedAt),
            LEASE_MS,
          );
        await claim('order-11', Date.now() - LEASE_MS + 60_000);
        await claim('order-12', Date.now() - LEASE_MS - 1000);
        const calls = metaCalls();

        const held = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-11' });
        expect([held.status, held.body.code]).toEqual([409, 'idempotency_key_in_use']);
        expect(metaCalls()).toBe(calls);
        const taken = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-12' });
        expect(taken.status).toBe(201);
        expect(metaCalls()).toBe(calls + 1);

        const log = await h.call('GET', `/api/outreach/messages?user_id=${user}`);
        expect(
          log.body.messages.map(
            (m: { status: string; error_code: string | null; idempotency_key: string }) => [
              m.idempotency_key,
              m.status,
              m.error_code,
            ],
          ),
        ).toEqual([
          ['order-12', 'sent', null],
          ['order-12', 'failed', 'attempt_abandoned'],
        ]);
        expect(await messageEvents(user)).toEqual([
          { type: 'message.sent', data: { user_id: user, platform: 'facebook', message: taken.body } },
        ]);
        const again = await h.send(user, 'facebook', dm(), { 'idempotency-key': 'order-12' });
        expect([again.status, again.body]).toEqual([200, taken.body]);
      });
    });

    describe('refusals: Meta', () => {
      it('422 outside_messaging_window when the last message is known to be over 24 hours old (7 days with HUMAN_AGENT)', async () => {
        const user = await h.metaUser();
        reachPerson('facebook', 30);
        await h.windows.recordInbound(user, 'facebook', PSID, new Date(Date.now() - 30 * HOUR));
        const calls = metaCalls();
        const refused = await h.send(user, 'facebook', dm());
        expect([refused.status, refused.body.code]).toEqual([422, 'outside_messaging_window']);
        expect(metaCalls()).toBe(calls);
        expect((await h.send(user, 'facebook', dm({ tag: 'HUMAN_AGENT' }))).status).toBe(201);

        await h.windows.recordInbound(
          user,
          'facebook',
          '24000000000000002',
          new Date(Date.now() - 8 * 24 * HOUR),
        );
        const late = await h.send(
          user,
          'facebook',
          dm({ recipient_id: '24000000000000002', tag: 'HUMAN_AGENT' }),
        );
        expect([late.status, late.body.code]).toEqual([422, 'outside_messaging_window']);
        expect(metaCalls()).toBe(calls + 1);
      });

      it.each([
        ['facebook', '10/2018278'],
        ['instagram', '10/2534022'],
      ] as const)(
        '422 outside_messaging_window when Meta answers so on %s (%s), and the window is closed after',
        async (platform, _subcode) => {
          const user = await h.metaUser(platform);
          reachPerson(platform, 30);
          const refused = await h.send(user, platform, dm());
          expect([refused.status, refused.body.code]).toEqual([422, 'outside_messaging_window']);

          const check = await h.call('GET', `/api/outreach/${platform}/recipients/${PSID}?user_id=${user}`);
          expect(check.body).toMatchObject({
            can_send: false,
            reason_code: 'outside_messaging_window',
            window: 'closed',
          });
          const calls = metaCalls();
          expect((await h.send(user, platform, dm())).body.code).toBe('outside_messaging_window');
          expect(metaCalls()).toBe(calls);
          const log = await h.call('GET', `/api/outreach/messages?user_id=${user}`);
          expect(
            log.body.messages.map((m: { status: string; error_code: string }) => [m.status, m.error_code]),
          ).toEqual([['failed', 'outside_messaging_window']]);
        },
      );

      it('422 recipient_unavailable for a person who cannot be reached (551) or is unknown (100/2018001)', async () => {
        const user = await h.metaUser();
        h.meta.people.set(PSID, { platform: 'facebook', lastMessageAt: Date.now(), unavailable: true });
        const blocked = await h.send(user, 'facebook', dm());
        expect([blocked.status, blocked.body.code]).toEqual([422, 'recipient_unavailable']);
        const unknown = await h.send(user, 'facebook', dm({ recipient_id: '999' }));
        expect([unknown.status, unknown.body.code]).toEqual([422, 'recipient_unavailable']);
        expect(await auditCodes(user)).toEqual([
          ['failure', 'recipient_unavailable'],
          ['failure', 'recipient_unavailable'],
        ]);
      });

      // What Meta may answer a send with, each refused as the contract's table says and recorded as failed.
      const metaAnswers: readonly (readonly [string, number, string, Fault])[] = [
        ['551 without a subcode', 422, 'recipient_unavailable', metaAnswer(400, { code: 551 })],
        ...[4, 17, 32, 613, 80_000, 80_014].map(
          (code) => [`rate limit ${code}`, 429, 'platform_rate_limited', metaAnswer(400, { code })] as const,
        ),
        ['no answer within the timeout', 502, 'platform_unavailable', { kind: 'hang' }],
        ['a malformed answer', 502, 'platform_unavailable', { kind: 'malformed' }],
        ['HTTP 503', 502, 'platform_unavailable', { kind: 'answer', response: { status: 503, body: {} } }],
        ['an unknown error code', 502, 'platform_unavailable', metaAnswer(400, { code: 9999 })],
      ];

      it.each(metaAnswers)(
        'Meta answering %s: %i %s, a failed message announced',
        async (_name, status, code, fault) => {
          const user = await h.metaUser();
          reachPerson();
          h.meta.fail('messages', fault);
          const refused = await h.send(user, 'facebook', dm());

          expect([refused.status, refused.body.code]).toEqual([status, code]);
          if (status === 429) expect(refused.headers.get('retry-after')).toBe('60');
          const log = await h.call('GET', `/api/outreach/messages?user_id=${user}`);
          expect(log.body.messages).toEqual([
            expect.objectContaining({ status: 'failed', error_code: code, platform_message_id: null }),
          ]);
          expect(await messageEvents(user)).toEqual([
            {
              type: 'message.failed',
              data: { user_id: user, platform: 'facebook', message: log.body.messages[0] },
            },
          ]);
          expect(await auditCodes(user)).toEqual([['failure', code]]);
        },
      );

      it('429 platform_rate_limited with Retry-After', async () => {
        const user = await h.metaUser();
        h.meta.rateLimit = { code: 80006, regainMinutes: 2 };
        const limited = await h.send(user, 'facebook', dm());
        expect([limited.status, limited.body.code]).toEqual([429, 'platform_rate_limited']);
        expect(limited.headers.get('retry-after')).toBe('120');
      });

      it('502 platform_unavailable on an outage, recorded as a failed message', async () => {
        const user = await h.metaUser();
        h.meta.fail('messages', { kind: 'answer', response: { status: 500, body: {} } });
        const failed = await h.send(user, 'facebook', dm());
        expect([failed.status, failed.body.code]).toEqual([502, 'platform_unavailable']);
        const log = await h.call('GET', `/api/outreach/messages?user_id=${user}`);
        expect(log.body.messages[0]).toMatchObject({
          status: 'failed',
          error_code: 'platform_unavailable',
          platform_message_id: null,
          sent_at: null,
        });
        expect(await messageEvents(user)).toEqual([
          {
            type: 'message.failed',
            data: { user_id: user, platform: 'facebook', message: log.body.messages[0] },
          },
        ]);
      });

      it.each([
        [460, 'token_revoked', 'revoked'],
        [458, 'token_revoked', 'revoked'],
        [467, 'token_revoked', 'revoked'],
        [463, 'token_expired', 'expired'],
        [undefined, 'validation_failed', 'error'],
      ] as const)(
        'a refused Page token (190/%s) changes the integration: 409 %s, and capabilities follow',
        async (subcode, code, status) => {
          const user = await h.metaUser();
          reachPerson();
          h.meta.fail('messages', metaAnswer(400, { code: 190, ...(subcode && { error_subcode: subcode }) }));
          const refused = await h.send(user, 'facebook', dm());
          expect([refused.status, refused.body.code]).toEqual([409, code]);
          const capability = await h.call('GET', `/api/integrations/facebook/capabilities?user_id=${user}`);
          expect(capability.body).toMatchObject({
            can_send_dm: false,
            reason_code: code,
            reason: refused.body.detail,
            connection_status: status,
          });
          const calls = metaCalls();
          expect((await h.send(user, 'facebook', dm())).body.code).toBe(code);
          expect(metaCalls()).toBe(calls);
        },
      );
    });

    describe('refusals: email', () => {
      it('422 recipient_suppressed for a suppressed address, case-insensitively', async () => {
        const user = await h.emailUser();
        const put = await h.call(
          'PUT',
          `/api/outreach/email/suppressions/${encodeURIComponent('Lead@Example.org')}?user_id=${user}`,
        );
        expect(put.status).toBe(201);
        const mails = h.smtp.messages.length;
        const refused = await h.send(user, 'email', mail({ to: 'LEAD@example.org' }));
        expect([refused.status, refused.body.code]).toEqual([422, 'recipient_suppressed']);
        expect(h.smtp.messages.length).toBe(mails);
      });

      it('422 recipient_rejected on a 5xx recipient refusal, which suppresses the address as bounced', async () => {
        const user = await h.emailUser();
        h.smtp.refused.add('gone@example.org');
        const refused = await h.send(user, 'email', mail({ to: 'gone@example.org' }));
        expect([refused.status, refused.body.code]).toEqual([422, 'recipient_rejected']);
        const list = await h.call('GET', `/api/outreach/email/suppressions?user_id=${user}`);
        expect(list.body.suppressions).toEqual([
          { address: 'gone@example.org', reason: 'bounced', created_at: expect.any(String) },
        ]);
        expect((await h.send(user, 'email', mail({ to: 'gone@example.org' }))).body.code).toBe(
          'recipient_suppressed',
        );
        expect(await messageEvents(user, 'recipient.')).toEqual([
          suppressedEvent(user, 'gone@example.org', 'bounced'),
        ]);
      });

      it('429 daily_limit_reached with Retry-After to 00:00 UTC once the limit is sent', async () => {
        const user = await h.emailUser();
        for (let sent = 0; sent < DAILY_LIMIT; sent++)
          expect((await h.send(user, 'email', mail())).status).toBe(201);
        const mails = h.smtp.messages.length;
        const limited = await h.send(user, 'email', mail());
        expect([limited.status, limited.body.code]).toEqual([429, 'daily_limit_reached']);
        const retryAfter = Number(limited.headers.get('retry-after'));
        const midnight = new Date();
        midnight.setUTCHours(24, 0, 0, 0);
        expect(Math.abs(retryAfter - (midnight.getTime() - Date.now()) / 1000)).toBeLessThan(5);
        expect(h.smtp.messages.length).toBe(mails);
        const check = await h.call(
          'GET',
          `/api/outreach/email/recipients/lead%40example.org?user_id=${user}`,
        );
        expect(check.body).toMatchObject({
          can_send: false,
          reason_code: 'daily_limit_reached',
          sent_today: DAILY_LIMIT,
          daily_limit: DAILY_LIMIT,
        });
      });

      it('a refused SMTP login marks the integration error: 409 validation_failed, and capabilities follow', async () => {
        const user = await h.emailUser('a-changed-password');
        const refused = await h.send(user, 'email', mail());
        expect([refused.status, refused.body.code]).toEqual([409, 'validation_failed']);
        const capability = await h.call('GET', `/api/integrations/email/capabilities?user_id=${user}`);
        expect(capability.body).toMatchObject({
          can_send_dm: false,
          reason_code: 'validation_failed',
          connection_status: 'error',
        });
      });

      it('502 platform_unavailable on a temporary (4xx) recipient refusal, which suppresses nothing', async () => {
        const user = await h.emailUser();
        h.smtp.deferred.add('later@example.org');
        const failed = await h.send(user, 'email', mail({ to: 'later@example.org' }));
        expect([failed.status, failed.body.code]).toEqual([502, 'platform_unavailable']);
        expect(
          (await h.call('GET', `/api/outreach/email/suppressions?user_id=${user}`)).body.suppressions,
        ).toEqual([]);
        h.smtp.deferred.clear();
        expect((await h.send(user, 'email', mail({ to: 'later@example.org' }))).status).toBe(201);
      });

      it('502 platform_unavailable when the SMTP server cannot be reached', async () => {
        const user = await h.emailUser(undefined, {
          smtp: { emailAddress: SMTP_USER, host: 'localhost', port: 1, username: SMTP_USER },
        });
        const failed = await h.send(user, 'email', mail());
        expect([failed.status, failed.body.code]).toEqual([502, 'platform_unavailable']);
        expect(await h.call('GET', `/api/outreach/messages?user_id=${user}`)).toMatchObject({
          body: { messages: [{ status: 'failed', error_code: 'platform_unavailable' }] },
        });
      });
    });

    describe('pre-check, log, suppressions and unsubscribe', () => {
      it('pre-checks a Meta recipient: unknown window, then open once they wrote', async () => {
        const user = await h.metaUser();
        const path = `/api/outreach/facebook/recipients/${PSID}?user_id=${user}`;
        expect((await h.call('GET', path)).body).toEqual({
          platform: 'facebook',
          recipient: PSID,
          can_send: true,
          reason_code: null,
          reason: null,
          window: 'unknown',
          window_closes_at: null,
          human_agent_until: null,
          suppressed: false,
          sent_today: null,
          daily_limit: null,
        });
        const wrote = new Date(Date.now() - HOUR);
        await h.windows.recordInbound(user, 'facebook', PSID, wrote);
        expect((await h.call('GET', path)).body).toMatchObject({
          window: 'open',
          window_closes_at: new Date(wrote.getTime() + 24 * HOUR).toISOString(),
          human_agent_until: new Date(wrote.getTime() + 7 * 24 * HOUR).toISOString(),
        });
        const bad = await h.call('GET', `/api/outreach/facebook/recipients/not-digits?user_id=${user}`);
        expect([bad.status, bad.body.errors[0].path]).toEqual([400, 'recipient']);
      });

      it('pre-checks an email recipient with the daily count', async () => {
        const user = await h.emailUser();
        await h.send(user, 'email', mail());
        const check = await h.call(
          'GET',
          `/api/outreach/email/recipients/${encodeURIComponent('lead@example.org')}?user_id=${user}`,
        );
        expect(check.body).toEqual({
          platform: 'email',
          recipient: 'lead@example.org',
          can_send: true,
          reason_code: null,
          reason: null,
          window: null,
          window_closes_at: null,
          human_agent_until: null,
          suppressed: false,
          sent_today: 1,
          daily_limit: DAILY_LIMIT,
        });
      });

      it('pages through the log with a cursor, per platform', async () => {
        const user = await h.emailUser();
        const ids: string[] = [];
        for (let index = 0; index < 3; index++)
          ids.push((await h.send(user, 'email', mail({ to: `p${index}@example.org` }))).body.id);
        const first = await h.call('GET', `/api/outreach/messages?user_id=${user}&limit=2&platform=email`);
        expect(first.body.messages.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[1]]);
        const second = await h.call(
          'GET',
          `/api/outreach/messages?user_id=${user}&limit=2&cursor=${first.body.next_cursor}`,
        );
        expect(second.body).toEqual({
          messages: [expect.objectContaining({ id: ids[0] })],
          next_cursor: null,
        });
        expect(
          (await h.call('GET', `/api/outreach/messages?user_id=${user}&platform=facebook`)).body.messages,
        ).toEqual([]);
        expect((await h.call('GET', `/api/outreach/messages?user_id=${user}&limit=0`)).status).toBe(400);
      });

      it('manages suppressions: PUT 201 then 200, DELETE 204', async () => {
        const user = await h.emailUser();
        const path = `/api/outreach/email/suppressions/someone%40example.org?user_id=${user}`;
        expect((await h.call('PUT', path)).status).toBe(201);
        expect((await h.call('PUT', path)).status).toBe(200);
        const list = await h.call('GET', `/api/outreach/email/suppressions?user_id=${user}`);
        expect(list.body.suppressions).toEqual([
          { address: 'someone@example.org', reason: 'manual', created_at: expect.any(String) },
        ]);
        // Suppressing again changes nothing, and announces nothing.
        expect(await messageEvents(user, 'recipient.')).toEqual([
          suppressedEvent(user, 'someone@example.org', 'manual'),
        ]);
        expect((await h.call('DELETE', path)).status).toBe(204);
        expect((await h.call('DELETE', path)).status).toBe(204);
        expect(
          (await h.call('GET', `/api/outreach/email/suppressions?user_id=${user}`)).body.suppressions,
        ).toEqual([]);
        expect((await h.call('PUT', `/api/outreach/email/suppressions/nope?user_id=${user}`)).status).toBe(
          400,
        );
      });

      it('unsubscribes with one click: GET shows a page and changes nothing, POST suppresses, forged is 404', async () => {
        const user = await h.emailUser();
        const before = h.smtp.messages.length;
        await h.send(user, 'email', mail({ to: 'Reader@Example.org' }));
        const header = h.smtp.messages[before]?.headers['list-unsubscribe'] ?? '';
        const path = new URL(header.slice(1, -1)).pathname;

        const page = await h.call('GET', path);
        expect(page.status).toBe(200);
        expect(page.body).toContain('<form method="post">');
        const suppressions = `/api/outreach/email/suppressions?user_id=${user}`;
        expect((await h.call('GET', suppressions)).body.suppressions).toEqual([]);

        const form = await h.app.request(path, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: 'List-Unsubscribe=One-Click',
        });
        expect(form.status).toBe(200);
        expect((await h.call('POST', path)).status).toBe(200);
        expect((await h.call('GET', suppressions)).body.suppressions).toEqual([
          { address: 'reader@example.org', reason: 'unsubscribed', created_at: expect.any(String) },
        ]);
        expect(await messageEvents(user, 'recipient.')).toEqual([
          suppressedEvent(user, 'reader@example.org', 'unsubscribed'),
        ]);
        expect((await h.send(user, 'email', mail({ to: 'reader@example.org' }))).body.code).toBe(
          'recipient_suppressed',
        );

        const forged = `${path.slice(0, -6)}${path.slice(-6) === 'AAAAAA' ? 'BBBBBB' : 'AAAAAA'}`;
        expect((await h.call('GET', forged)).status).toBe(404);
        expect((await h.call('POST', forged)).status).toBe(404);
        expect((await h.call('POST', '/unsubscribe/not-a-token')).status).toBe(404);
      });

      it('a real SMTP server received exactly the messages the log says were sent', async () => {
        const user = await h.emailUser();
        const before = h.smtp.messages.length;
        h.smtp.refused.add('bounce@example.org');
        await h.send(user, 'email', mail({ to: 'one@example.org' }));
        await h.send(user, 'email', mail({ to: 'bounce@example.org' }));
        await h.send(user, 'email', mail({ to: 'two@example.org' }));
        const log = await h.call('GET', `/api/outreach/messages?user_id=${user}`);
        const sent = log.body.messages.filter((m: { status: string }) => m.status === 'sent');
        const received = h.smtp.messages.slice(before);
        expect(received.map((m) => m.headers['message-id']).sort()).toEqual(
          sent.map((m: { platform_message_id: string }) => m.platform_message_id).sort(),
        );
        expect(received.map((m) => m.to)).toEqual([['one@example.org'], ['two@example.org']]);
        for (const message of received) {
          expect(message.headers['list-unsubscribe']).toMatch(
            new RegExp(`^<${PUBLIC_BASE_URL}/unsubscribe/[A-Za-z0-9_=-]+>$`),
          );
          expect(message.headers['list-unsubscribe-post']).toBe('List-Unsubscribe=One-Click');
        }
      });
    });
  });
}
