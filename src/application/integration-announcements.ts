import { type Capability, decideCapability, statusDenial } from '../domain/capability-policy.js';
import { effectiveStatus, type Integration } from '../domain/integration.js';
import { PLATFORM_NAMES } from '../domain/platform.js';
import type { NewEvent } from './events.js';
import { presentIntegration } from './integration-view.js';
import type { Clock } from './ports/clock.js';
import type { Announce, WireFormat } from './ports/event-outbox.js';
import type { MailVerifier } from './ports/mail-verifier.js';
import type { SecretCipher } from './ports/secret-cipher.js';

export interface AnnouncementDeps {
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly wireFormat: WireFormat;
}

/**
 * What a write did: `save` (create or replace with checked credentials), `check` (validate, refresh,
 * health check, a send or platform callback changing the status), `delete`.
 */
export type ChangeCause = 'save' | 'check' | 'delete';

// The fields the frontend drives its buttons from; the other fields follow from them or never change.
const differs = (previous: Capability, current: Capability) =>
  previous.canSendDm !== current.canSendDm ||
  previous.canReadMessages !== current.canReadMessages ||
  previous.reasonCode !== current.reasonCode ||
  previous.missingScopes.join(' ') !== current.missingScopes.join(' ');

/** Whether this write recorded the refresher's warning that the token expires soon. */
const newlyWarned = (before: Integration, after: Integration) =>
  after.expiryWarnedFor !== null && after.expiryWarnedFor.getTime() !== before.expiryWarnedFor?.getTime();

/** One announcement per cause, what the use cases hand to the stores they write through. */
export type IntegrationAnnouncements = Readonly<Record<ChangeCause, Announce>>;

export const integrationAnnouncements = (deps: AnnouncementDeps): IntegrationAnnouncements => ({
  save: announceChange(deps, 'save'),
  check: announceChange(deps, 'check'),
  delete: announceChange(deps, 'delete'),
});

/** The integration events a write of this cause reports, decided from the row before and after it. */
function announceChange(deps: AnnouncementDeps, cause: ChangeCause): Announce {
  return async ({ before, after }) => {
    const subject = after ?? before;
    if (subject === null) return [];
    const { userId, platform } = subject;
    const now = deps.clock.now();
    const unsupportedHere = platform === 'email' ? (deps.mailVerifier.unsupportedReason ?? null) : null;
    const previous = decideCapability(platform, before, now, unsupportedHere);
    const current = decideCapability(platform, after, now, unsupportedHere);
    const about = { user_id: userId, platform };
    const events: NewEvent[] = [];

    if (cause === 'save' && after !== null) {
      const reconnected = before === null || effectiveStatus(before, now) !== 'connected';
      events.push({
        type: reconnected ? 'integration.connected' : 'integration.updated',
        userId,
        data: {
          ...about,
          integration: deps.wireFormat.integration(await presentIntegration(after, deps.cipher, now)),
          capability: deps.wireFormat.capability(current),
        },
      });
    }
    // The stored status: the refresher recording a passed expiry is a change, though capabilities saw it first.
    if (cause === 'check' && before !== null && after !== null) {
      if (before.connectionStatus !== after.connectionStatus) {
        const denial = statusDenial(platform, after.connectionStatus, after.statusDetail);
        events.push({
          type: 'integration.status_changed',
          userId,
          data: {
            ...about,
            previous_status: before.connectionStatus,
            status: after.connectionStatus,
            reason_code: denial?.reasonCode ?? null,
            reason: denial?.reason ?? null,
          },
        });
      }
    }
    if (cause === 'check' && before !== null && after !== null && newlyWarned(before, after)) {
      events.push({
        type: 'integration.expiring_soon',
        userId,
        data: {
          ...about,
          token_expires_at: after.tokenExpiresAt?.toISOString() ?? null,
          reason: `Your ${PLATFORM_NAMES[platform]} access expires soon and cannot be renewed automatically. Reconnect your account.`,
        },
      });
    }
    if (cause === 'delete') events.push({ type: 'integration.deleted', userId, data: about });
    if (differs(previous, current)) {
      events.push({
        type: 'integration.capability_changed',
        userId,
        data: {
          ...about,
          previous: deps.wireFormat.capability(previous),
          current: deps.wireFormat.capability(current),
        },
      });
    }
    return events;
  };
}
