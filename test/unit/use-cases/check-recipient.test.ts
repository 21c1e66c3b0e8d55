import { beforeEach, describe, expect, it } from 'vitest';
import { checkRecipient } from '../../../src/application/use-cases/check-recipient.js';
import { emailDraft, instagramDraft, uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

const PSID = '24000000000000001';
const HOUR = 3_600_000;

describe('checkRecipient', () => {
  let ports: UnitPorts;
  let check: ReturnType<typeof checkRecipient>;
  let userId: string;

  beforeEach(async () => {
    ports = await unitPorts();
    check = checkRecipient(ports);
    userId = uniqueUserId();
  });

  it("answers the capability's refusal when nothing is connected", async () => {
    expect(await check(userId, 'facebook', PSID)).toMatchObject({
      ok: true,
      value: { canSend: false, reasonCode: 'not_connected', window: 'unknown', sentToday: null },
    });
    expect(await check(userId, 'tiktok', 'anyone')).toMatchObject({
      ok: true,
      value: { canSend: false, reasonCode: 'dm_not_supported', window: null, dailyLimit: null },
    });
  });

  it("follows the person's window: unknown, open for 24 hours after they wrote, closed after", async () => {
    await ports.repository.upsert(
      instagramDraft({
        userId,
        scopesGranted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
      }),
    );
    expect(await check(userId, 'instagram', PSID)).toMatchObject({
      ok: true,
      value: { canSend: true, reasonCode: null, window: 'unknown', windowClosesAt: null },
    });

    const wrote = ports.clock.now();
    await ports.windows.recordInbound(userId, 'instagram', PSID, wrote);
    expect(await check(userId, 'instagram', PSID)).toMatchObject({
      ok: true,
      value: {
        canSend: true,
        window: 'open',
        windowClosesAt: new Date(wrote.getTime() + 24 * HOUR),
        humanAgentUntil: new Date(wrote.getTime() + 7 * 24 * HOUR),
      },
    });

    ports.clock.advance(24 * HOUR);
    expect(await check(userId, 'instagram', PSID)).toMatchObject({
      ok: true,
      value: { canSend: false, reasonCode: 'outside_messaging_window', window: 'closed' },
    });
  });

  it("gives email's count and limit, and refuses a suppressed address or a mailbox at its limit", async () => {
    await ports.repository.upsert(emailDraft({ userId }));
    const address = 'Lead@Customer.example';
    expect(await check(userId, 'email', address)).toEqual({
      ok: true,
      value: {
        platform: 'email',
        recipient: address,
        canSend: true,
        reasonCode: null,
        reason: null,
        window: null,
        windowClosesAt: null,
        humanAgentUntil: null,
        suppressed: false,
        sentToday: 0,
        dailyLimit: 3,
      },
    });

    await ports.dailySends.reserve(userId, '2026-03-01', 3);
    await ports.suppressions.add(userId, 'lead@customer.example', 'unsubscribed', ports.clock.now());
    expect(await check(userId, 'email', address)).toMatchObject({
      ok: true,
      value: { canSend: false, reasonCode: 'recipient_suppressed', suppressed: true, sentToday: 1 },
    });

    await ports.dailySends.reserve(userId, '2026-03-01', 3);
    await ports.dailySends.reserve(userId, '2026-03-01', 3);
    expect(await check(userId, 'email', 'other@customer.example')).toMatchObject({
      ok: true,
      value: {
        canSend: false,
        reasonCode: 'daily_limit_reached',
        suppressed: false,
        sentToday: 3,
        dailyLimit: 3,
      },
    });

    // The same check on the next UTC day counts that day's sends.
    ports.clock.advance(24 * HOUR);
    expect(await check(userId, 'email', 'other@customer.example')).toMatchObject({
      ok: true,
      value: { canSend: true, reasonCode: null, sentToday: 0, dailyLimit: 3 },
    });
    await ports.dailySends.reserve(userId, '2026-03-02', 3);
    expect(await check(userId, 'email', 'other@customer.example')).toMatchObject({
      ok: true,
      value: { canSend: true, sentToday: 1 },
    });
  });

  it('answers 501-style on a runtime that cannot send mail, as validation does', async () => {
    await ports.repository.upsert(emailDraft({ userId }));
    const noSmtp = checkRecipient({
      ...ports,
      mailSender: {
        send: ports.mailSender.send,
        unsupportedReason: 'This runtime cannot open SMTP connections.',
      },
    });

    expect(await noSmtp(userId, 'email', 'lead@customer.example')).toMatchObject({
      ok: false,
      failure: { code: 'email_unsupported_on_runtime' },
    });
  });
});
