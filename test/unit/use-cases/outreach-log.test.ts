import { beforeEach, describe, expect, it } from 'vitest';
import { unsubscribeToken } from '../../../src/application/unsubscribe-token.js';
import {
  findUnsubscribe,
  listMessages,
  listSuppressions,
  suppressAddress,
  unsubscribe,
  unsuppressAddress,
} from '../../../src/application/use-cases/outreach-log.js';
import { uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

describe('the outreach log and suppressions', () => {
  let ports: UnitPorts;
  let userId: string;

  beforeEach(async () => {
    ports = await unitPorts();
    userId = uniqueUserId();
  });

  const settled = async (user: string, platform: 'facebook' | 'email') => {
    const claim = await ports.messageLog.claim(
      { userId: user, platform, recipient: 'someone', idempotencyKey: null, requestHash: 'a'.repeat(64) },
      ports.clock.now(),
      ports.outreach.attemptLeaseMs,
    );
    if (claim.kind !== 'claimed') throw new Error('not claimed');
    return ports.messageLog.settle(
      claim,
      { status: 'sent', platformMessageId: 'm', sentAt: ports.clock.now() },
      () => [],
    );
  };

  it("lists the user's own settled messages, newest first, a page at a time", async () => {
    const [a, b, c] = [
      await settled(userId, 'facebook'),
      await settled(userId, 'email'),
      await settled(userId, 'facebook'),
    ];
    await settled(uniqueUserId(), 'facebook');
    const list = listMessages(ports);

    const first = await list(userId, { platform: null, limit: 2, before: null });
    expect(first.messages).toEqual([c, b]);
    expect(await list(userId, { platform: null, limit: 2, before: first.next })).toEqual({
      messages: [a],
      next: null,
    });
    expect((await list(userId, { platform: 'facebook', limit: 10, before: null })).messages).toEqual([c, a]);
  });

  it('suppresses by hand once, case-insensitively, and lifts it', async () => {
    const suppress = suppressAddress(ports);
    expect(await suppress(userId, 'Lead@Customer.example')).toBe(true);
    expect(await suppress(userId, 'lead@customer.example')).toBe(false);
    expect(await listSuppressions(ports)(userId)).toEqual([
      { address: 'lead@customer.example', reason: 'manual', createdAt: ports.clock.now() },
    ]);
    expect(await unsuppressAddress(ports)(userId, 'LEAD@customer.example')).toBe(true);
    expect(await listSuppressions(ports)(userId)).toEqual([]);
  });

  it("unsubscribes a link's recipient for its user only, repeatably, and ignores a forged link", async () => {
    const token = await unsubscribeToken(ports.cipher, { userId, address: 'lead@customer.example' });
    expect(await findUnsubscribe(ports)(token)).toEqual({ userId, address: 'lead@customer.example' });
    expect(await ports.suppressions.isSuppressed(userId, 'lead@customer.example')).toBe(false);

    await unsubscribe(ports)(token);
    ports.clock.advance(60_000);
    expect(await unsubscribe(ports)(token)).toEqual({ userId, address: 'lead@customer.example' });
    expect(await listSuppressions(ports)(userId)).toEqual([
      {
        address: 'lead@customer.example',
        reason: 'unsubscribed',
        createdAt: new Date('2026-03-01T12:00:00.000Z'),
      },
    ]);

    const forged = `${token.slice(0, -4)}AAAA`;
    expect(await findUnsubscribe(ports)(forged)).toBeNull();
    expect(await unsubscribe(ports)('not-a-token')).toBeNull();
  });
});
