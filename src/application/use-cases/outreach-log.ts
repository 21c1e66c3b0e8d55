import type { SuppressionReason } from '../../domain/outreach.js';
import { normalizeAddress } from '../../domain/outreach.js';
import type { Platform } from '../../domain/platform.js';
import { recipientSuppressed } from '../events.js';
import type { MessagePage } from '../ports/message-log.js';
import type { Suppression } from '../ports/suppression-list.js';
import { readUnsubscribeToken, type UnsubscribeGrant } from '../unsubscribe-token.js';
import type { OutreachPorts } from './send-message.js';

/** The user's own messages, newest first. */
export function listMessages({ messageLog }: Pick<OutreachPorts, 'messageLog'>) {
  return (
    userId: string,
    page: { readonly platform: Platform | null; readonly limit: number; readonly before: number | null },
  ): Promise<MessagePage> => messageLog.list(userId, page);
}

export function listSuppressions({ suppressions }: Pick<OutreachPorts, 'suppressions'>) {
  return (userId: string): Promise<Suppression[]> => suppressions.list(userId);
}

/** Suppresses an address by hand; false when it was already suppressed (for any reason). */
export function suppressAddress({ suppressions, clock }: Pick<OutreachPorts, 'suppressions' | 'clock'>) {
  return (userId: string, address: string, reason: SuppressionReason = 'manual'): Promise<boolean> => {
    const normalized = normalizeAddress(address);
    return suppressions.add(userId, normalized, reason, clock.now(), [
      recipientSuppressed(userId, normalized, reason),
    ]);
  };
}

export function unsuppressAddress({ suppressions }: Pick<OutreachPorts, 'suppressions'>) {
  return (userId: string, address: string): Promise<boolean> =>
    suppressions.remove(userId, normalizeAddress(address));
}

/** Who an unsubscribe link is for; null for a link this service did not make. */
export function findUnsubscribe({ cipher }: Pick<OutreachPorts, 'cipher'>) {
  return (token: string): Promise<UnsubscribeGrant | null> => readUnsubscribeToken(cipher, token);
}

/** One-click unsubscribe: the link's recipient is suppressed for its user; repeating it changes nothing. */
export function unsubscribe(ports: Pick<OutreachPorts, 'cipher' | 'suppressions' | 'clock'>) {
  return async (token: string): Promise<UnsubscribeGrant | null> => {
    const grant = await readUnsubscribeToken(ports.cipher, token);
    if (grant !== null) {
      await ports.suppressions.add(grant.userId, grant.address, 'unsubscribed', ports.clock.now(), [
        recipientSuppressed(grant.userId, grant.address, 'unsubscribed'),
      ]);
    }
    return grant;
  };
}
