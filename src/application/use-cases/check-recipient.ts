import type { Capability } from '../../domain/capability-policy.js';
import type { ErrorCode } from '../../domain/errors.js';
import {
  decideWindow,
  isMetaMessagingPlatform,
  type MessagingWindow,
  normalizeAddress,
  rememberedUtcDay,
  type WindowState,
} from '../../domain/outreach.js';
import type { Platform } from '../../domain/platform.js';
import { ok, type Result } from '../../domain/result.js';
import type { RecipientFacts } from '../ports/recipient-facts.js';
import { type OutreachPorts, sendingCapability } from './send-message.js';

export interface RecipientCheck {
  readonly platform: Platform;
  readonly recipient: string;
  readonly canSend: boolean;
  /** Why a send now would be refused without calling the platform; null when it would go out. */
  readonly reasonCode: ErrorCode | null;
  readonly reason: string | null;
  /** Meta only. */
  readonly window: WindowState | null;
  readonly windowClosesAt: Date | null;
  readonly humanAgentUntil: Date | null;
  readonly suppressed: boolean;
  /** Email only. */
  readonly sentToday: number | null;
  readonly dailyLimit: number | null;
}

type Deps = Pick<OutreachPorts, 'repository' | 'clock' | 'mailSender' | 'outreach'> & {
  readonly recipientFacts: RecipientFacts;
};

type Refusal = { readonly code: ErrorCode; readonly reason: string } | null;

const OUTSIDE_WINDOW: Refusal = {
  code: 'outside_messaging_window',
  reason: 'This person last wrote more than 24 hours ago, or Meta said the window is closed.',
};
const SUPPRESSED: Refusal = {
  code: 'recipient_suppressed',
  reason: 'This address unsubscribed, bounced or was suppressed.',
};

/** The capability's own refusal, or null when it allows a send (or has nothing to say). */
function refusalOf(capability: Capability): Refusal {
  return capability.canSendDm || capability.reasonCode === null
    ? null
    : { code: capability.reasonCode, reason: capability.reason ?? '' };
}

// Every answer built in one place, with every field, so each has the same shape.
function answer(
  platform: Platform,
  recipient: string,
  canSend: boolean,
  refusal: Refusal,
  window: MessagingWindow | null,
  email: { readonly suppressed: boolean; readonly sentToday: number; readonly limit: number } | null,
): RecipientCheck {
  return {
    platform,
    recipient,
    canSend,
    reasonCode: refusal === null ? null : refusal.code,
    reason: refusal === null ? null : refusal.reason,
    window: window === null ? null : window.state,
    windowClosesAt: window === null ? null : window.closesAt,
    humanAgentUntil: window === null ? null : window.humanAgentUntil,
    suppressed: email === null ? false : email.suppressed,
    sentToday: email === null ? null : email.sentToday,
    dailyLimit: email === null ? null : email.limit,
  };
}

/**
 * Whether a send to `recipient` now would go out, by the same rules as a send, without sending. A Meta
 * platform or email is one read (the integration and what is known of the recipient together).
 */
export function checkRecipient(ports: Deps) {
  const today = rememberedUtcDay();
  return async (userId: string, platform: Platform, recipient: string): Promise<Result<RecipientCheck>> => {
    const now = ports.clock.now();
    if (isMetaMessagingPlatform(platform)) {
      const facts = await ports.recipientFacts.forMeta(userId, platform, recipient);
      const gate = sendingCapability(platform, facts.integration, now, ports.mailSender);
      if (!gate.ok) return gate;
      const window = decideWindow(platform, facts.window, now);
      let refusal = refusalOf(gate.value);
      if (refusal === null && window.state === 'closed') refusal = OUTSIDE_WINDOW;
      return ok(answer(platform, recipient, refusal === null, refusal, window, null));
    }
    if (platform !== 'email') {
      const gate = sendingCapability(
        platform,
        await ports.repository.find(userId, platform),
        now,
        ports.mailSender,
      );
      if (!gate.ok) return gate;
      return ok(answer(platform, recipient, false, refusalOf(gate.value), null, null));
    }
    const address = normalizeAddress(recipient);
    const { integration, suppressed, sentToday } = await ports.recipientFacts.forEmail(
      userId,
      address,
      today(now),
    );
    const gate = sendingCapability(platform, integration, now, ports.mailSender);
    if (!gate.ok) return gate;
    const limit = ports.outreach.emailDailyLimit;
    let refusal = refusalOf(gate.value);
    if (refusal === null && suppressed) refusal = SUPPRESSED;
    if (refusal === null && limit !== 0 && sentToday >= limit) {
      refusal = {
        code: 'daily_limit_reached',
        reason: `This mailbox already sent ${limit} messages today (UTC).`,
      };
    }
    return ok(answer(platform, recipient, refusal === null, refusal, null, { suppressed, sentToday, limit }));
  };
}
