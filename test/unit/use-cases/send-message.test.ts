import { beforeEach, describe, expect, it } from 'vitest';
import { readUnsubscribeToken } from '../../../src/application/unsubscribe-token.js';
import { type SendRequest, sendMessage } from '../../../src/application/use-cases/send-message.js';
import { fail } from '../../../src/domain/result.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

const META_SCOPES = ['pages_messaging', 'instagram_basic', 'instagram_manage_messages', 'pages_show_list'];
const PSID = '24000000000000001';
const reply: SendRequest = { platform: 'facebook', recipientId: PSID, text: 'Hello there', tag: null };
const mail = (to = 'lead@customer.example'): SendRequest => ({
  platform: 'email',
  to,
  subject: 'Hello',
  text: 'A plain body',
  html: null,
  replyTo: null,
});

describe('sendMessage', () => {
  let ports: UnitPorts;
  let send: ReturnType<typeof sendMessage>;
  let userId: string;

  beforeEach(async () => {
    ports = await unitPorts();
    send = sendMessage(ports);
    userId = uniqueUserId();
  });

  const connectFacebook = async () =>
    ports.repository.upsert(
      instagramDraft({
        userId,
        platform: 'facebook',
        scopesGranted: META_SCOPES,
        tokenExpiresAt: null,
        accessToken: await ports.cipher.seal('EAAB-page-token'),
      }),
    );
  const connectEmail = async () =>
    ports.repository.upsert(
      emailDraft({
        userId,
        smtp: { emailAddress: 'sales@acme.example', host: 'smtp.acme.example', port: 587, username: 'sales' },
        smtpPassword: await ports.cipher.seal('mailbox-password'),
      }),
    );

  it("answers the capability's own refusal, calling no platform, when nothing is connected", async () => {
    expect(await send(userId, reply, null)).toMatchObject({
      ok: true,
      value: { kind: 'denied', capability: { canSendDm: false, reasonCode: 'not_connected' } },
    });
    expect(await send(userId, { platform: 'tiktok' }, null)).toMatchObject({
      ok: true,
      value: { kind: 'denied', capability: { reasonCode: 'dm_not_supported' } },
    });
    expect(ports.messenger.sent).toEqual([]);
    expect(ports.messageLog.attempts).toEqual([]);
  });

  it('sends through the Page with its opened token and logs the message as sent', async () => {
    await connectFacebook();

    const outcome = await send(userId, reply, 'order-1');

    expect(ports.messenger.sent).toEqual([
      {
        senderId: '100000000000001',
        accessToken: 'EAAB-page-token',
        recipientId: PSID,
        text: 'Hello there',
        tag: null,
      },
    ]);
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        kind: 'sent',
        replayed: false,
        message: {
          userId,
          platform: 'facebook',
          recipient: PSID,
          status: 'sent',
          platformMessageId: 'm_scripted_1',
          errorCode: null,
          idempotencyKey: 'order-1',
          sentAt: ports.clock.now(),
        },
      },
    });
  });

  it('announces each settled attempt: message.sent with its MessageResponse, message.failed with its code', async () => {
    await connectFacebook();
    await send(userId, reply, null);
    ports.messenger.next = fail('recipient_unavailable', 'This person is not available right now.');
    await send(userId, reply, null);

    expect(ports.messageLog.events).toMatchObject([
      {
        type: 'message.sent',
        userId,
        data: { platform: 'facebook', message: { status: 'sent', error_code: null } },
      },
      {
        type: 'message.failed',
        userId,
        data: { platform: 'facebook', message: { status: 'failed', error_code: 'recipient_unavailable' } },
      },
    ]);
  });

  it('replays a sent key without sending again, and refuses the key with another body', async () => {
    await connectFacebook();
    const first = await send(userId, reply, 'order-1');
    if (!first.ok || first.value.kind !== 'sent') throw new Error('not sent');

    expect(await send(userId, reply, 'order-1')).toEqual({
      ok: true,
      value: { kind: 'sent', message: first.value.message, replayed: true },
    });
    expect(await send(userId, { ...reply, text: 'Another text' }, 'order-1')).toMatchObject({
      ok: false,
      failure: { code: 'idempotency_key_reused' },
    });
    expect(ports.messenger.sent).toHaveLength(1);
  });

  it('refuses a key whose attempt is in flight, until that attempt outlives its lease', async () => {
    await connectFacebook();
    const inFlight = await ports.messageLog.claim(
      {
        userId,
        platform: 'facebook',
        recipient: PSID,
        idempotencyKey: 'order-1',
        requestHash: 'x'.repeat(64),
      },
      ports.clock.now(),
      ports.outreach.attemptLeaseMs,
    );
    if (inFlight.kind !== 'claimed') throw new Error('not claimed');

    ports.clock.advance(ports.outreach.attemptLeaseMs - 1);
    expect(await send(userId, reply, 'order-1')).toMatchObject({
      ok: false,
      failure: { code: 'idempotency_key_in_use' },
    });
    expect(ports.messenger.sent).toEqual([]);

    ports.clock.advance(1);
    expect(await send(userId, reply, 'order-1')).toMatchObject({ ok: true, value: { kind: 'sent' } });
    expect(ports.messenger.sent).toHaveLength(1);
    expect(ports.messageLog.attempts.map(({ status, errorCode }) => ({ status, errorCode }))).toEqual([
      { status: 'failed', errorCode: 'attempt_abandoned' },
      { status: 'sent', errorCode: null },
    ]);
  });

  it('refuses, without calling Meta or logging, a person Meta said is outside the window', async () => {
    await connectFacebook();
    await ports.windows.recordClosed(userId, 'facebook', PSID, null, ports.clock.now());

    expect(await send(userId, reply, null)).toMatchObject({
      ok: false,
      failure: { code: 'outside_messaging_window' },
    });
    expect(ports.messenger.sent).toEqual([]);
    expect(ports.messageLog.attempts).toEqual([]);
  });

  it("records Meta's window refusal as failed and closes that person's window", async () => {
    await connectFacebook();
    ports.messenger.next = fail('outside_messaging_window', 'Meta: outside of allowed window.');

    expect(await send(userId, reply, 'order-1')).toMatchObject({
      ok: false,
      failure: { code: 'outside_messaging_window' },
    });
    expect(ports.messageLog.attempts).toMatchObject([
      { status: 'failed', errorCode: 'outside_messaging_window' },
    ]);
    expect(await ports.windows.find(userId, 'facebook', PSID)).toMatchObject({ closedAt: ports.clock.now() });
    // A failed attempt frees its key.
    ports.messenger.next = null;
    expect(await send(userId, { ...reply, tag: 'HUMAN_AGENT' }, 'order-1')).toMatchObject({
      ok: true,
      value: { kind: 'sent' },
    });
  });

  it('changes the integration as validate would when Meta refuses the token, and answers what capabilities say', async () => {
    await connectFacebook();
    ports.messenger.next = fail('token_revoked', 'The person revoked access to this app.');

    expect(await send(userId, reply, null)).toMatchObject({
      ok: true,
      value: { kind: 'denied', capability: { canSendDm: false, reasonCode: 'token_revoked' } },
    });
    expect(await ports.repository.find(userId, 'facebook')).toMatchObject({ connectionStatus: 'revoked' });
  });

  it('records a send that threw as failed, so its key is not held, and rethrows', async () => {
    await connectFacebook();
    ports.messenger.send = async () => {
      throw new Error('socket hang up');
    };

    await expect(send(userId, reply, 'order-1')).rejects.toThrow('socket hang up');
    expect(ports.messageLog.attempts).toMatchObject([{ status: 'failed', errorCode: 'internal_error' }]);
  });

  it('mails from the mailbox with a Message-ID at its domain and a one-click unsubscribe link for the recipient', async () => {
    await connectEmail();

    const outcome = await send(userId, mail('Lead@Customer.example'), null);

    expect(ports.mailSender.sent).toHaveLength(1);
    const [{ login, mail: sent }] = ports.mailSender.sent as [(typeof ports.mailSender.sent)[number]];
    expect(login).toMatchObject({
      host: 'smtp.acme.example',
      username: 'sales',
      password: 'mailbox-password',
    });
    expect(sent).toMatchObject({ from: 'sales@acme.example', to: 'Lead@Customer.example', subject: 'Hello' });
    expect(sent.messageId).toMatch(/^<[0-9a-f-]{36}@acme\.example>$/);
    const token = sent.unsubscribeUrl?.replace('https://outreach.example.com/unsubscribe/', '') ?? '';
    expect(await readUnsubscribeToken(ports.cipher, token)).toEqual({
      userId,
      address: 'lead@customer.example',
    });
    expect(outcome).toMatchObject({
      ok: true,
      value: {
        kind: 'sent',
        message: { platformMessageId: sent.messageId, recipient: 'Lead@Customer.example' },
      },
    });
  });

  it('refuses a suppressed address, whatever its case, without connecting', async () => {
    await connectEmail();
    await ports.suppressions.add(userId, 'lead@customer.example', 'manual', ports.clock.now());

    expect(await send(userId, mail('LEAD@customer.example'), null)).toMatchObject({
      ok: false,
      failure: { code: 'recipient_suppressed' },
    });
    expect(ports.mailSender.sent).toEqual([]);
  });

  it('stops at the daily limit until 00:00 UTC, counting only mail that went out', async () => {
    await connectEmail();
    ports.mailSender.next = fail('platform_unavailable', 'The SMTP server did not answer.');
    expect(await send(userId, mail(), null)).toMatchObject({
      ok: false,
      failure: { code: 'platform_unavailable' },
    });
    ports.mailSender.next = { ok: true, value: undefined };
    for (const n of [1, 2, 3]) {
      expect(await send(userId, mail(`lead${n}@customer.example`), null)).toMatchObject({ ok: true });
    }

    expect(await send(userId, mail(), null)).toEqual({
      ok: false,
      failure: {
        code: 'daily_limit_reached',
        detail: 'This mailbox already sent 3 messages today (UTC), its daily limit.',
        retryAfterSeconds: 12 * 3600,
      },
    });
    expect(ports.mailSender.sent).toHaveLength(4);
    ports.clock.advance(12 * 3600 * 1000);
    expect(await send(userId, mail(), null)).toMatchObject({ ok: true, value: { kind: 'sent' } });
  });

  it('suppresses an address the server refused with a 5xx as bounced', async () => {
    await connectEmail();
    ports.mailSender.next = fail('recipient_rejected', '550 No such user here');

    expect(await send(userId, mail(), null)).toMatchObject({
      ok: false,
      failure: { code: 'recipient_rejected' },
    });
    expect(await ports.suppressions.list(userId)).toEqual([
      { address: 'lead@customer.example', reason: 'bounced', createdAt: ports.clock.now() },
    ]);
    expect(ports.messageLog.attempts).toMatchObject([{ status: 'failed', errorCode: 'recipient_rejected' }]);
    expect(await ports.dailySends.count(userId, '2026-03-01')).toBe(0);
  });

  it('marks the mailbox as failing its check when the server refuses the login', async () => {
    await connectEmail();
    ports.mailSender.next = fail('smtp_auth_failed', '535 Authentication failed');

    expect(await send(userId, mail(), null)).toMatchObject({
      ok: true,
      value: { kind: 'denied', capability: { canSendDm: false } },
    });
    expect(await ports.repository.find(userId, 'email')).toMatchObject({ connectionStatus: 'error' });
  });
});
