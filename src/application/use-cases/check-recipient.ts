import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { ErrorCode } from '../../domain/errors.js';
import {
  decideWindow,
  isMetaMessagingPlatform,
  normalizeAddress,
  utcDay,
  type WindowRecord,
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

/** What the pre-check read, the integration's facts beside what it knows of the recipient. */
type Facts =
  | {
      readonly kind: 'meta';
      readonly integration: CapabilityFacts | null;
      readonly window: WindowRecord | null;
    }
  | {
      readonly kind: 'email';
      readonly integration: CapabilityFacts | null;
      readonly suppressed: boolean;
      readonly sentToday: number;
    }
  | { readonly kind: 'none'; readonly integration: CapabilityFacts | null };

/** Whether a send to `recipient` now would go out, by the same rules as a send, without sending. */
export function checkRecipient(ports: Deps) {
  // One statement for a Meta platform or email: the integration and the recipient's facts read together.
  async function read(userId: string, platform: Platform, recipient: string, now: Date): Promise<Facts> {
    if (isMetaMessagingPlatform(platform)) {
      return { kind: 'meta', ...(await ports.recipientFacts.forMeta(userId, platform, recipient)) };
    }
    if (platform !== 'email')
      return { kind: 'none', integration: await ports.repository.find(userId, platform) };
    const facts = await ports.recipientFacts.forEmail(userId, normalizeAddress(recipient), utcDay(now));
    return { kind: 'email', ...facts };
  }

  return async (userId: string, platform: Platform, recipient: string): Promise<Result<RecipientCheck>> => {
    const now = ports.clock.now();
    const facts = await read(userId, platform, recipient, now);
    const gate = sendingCapability(platform, facts.integration, now, ports.mailSender);
    if (!gate.ok) return gate;
    const capability = gate.value;
    let refusal: { code: ErrorCode; reason: string } | null =
      capability.canSendDm || capability.reasonCode === null
        ? null
        : { code: capability.reasonCode, reason: capability.reason ?? '' };

    const base = {
      platform,
      recipient,
      window: null,
      windowClosesAt: null,
      humanAgentUntil: null,
      suppressed: false,
      sentToday: null,
      dailyLimit: null,
    };
    if (facts.kind === 'meta' && isMetaMessagingPlatform(platform)) {
      const window = decideWindow(platform, facts.window, now);
      if (refusal === null && window.state === 'closed') {
        refusal = {
          code: 'outside_messaging_window',
          reason: 'This person last wrote more than 24 hours ago, or Meta said the window is closed.',
        };
      }
      return ok({
        ...base,
        canSend: refusal === null,
        reasonCode: refusal?.code ?? null,
        reason: refusal?.reason ?? null,
        window: window.state,
        windowClosesAt: window.closesAt,
        humanAgentUntil: window.humanAgentUntil,
      });
    }
    if (facts.kind !== 'email') {
      return ok({
        ...base,
        canSend: false,
        reasonCode: refusal?.code ?? null,
        reason: refusal?.reason ?? null,
      });
    }
    const { suppressed, sentToday } = facts;
    const limit = ports.outreach.emailDailyLimit;
    if (refusal === null && suppressed) {
      refusal = {
        code: 'recipient_suppressed',
        reason: 'This address unsubscribed, bounced or was suppressed.',
      };
    }
    if (refusal === null && limit !== 0 && sentToday >= limit) {
      refusal = {
        code: 'daily_limit_reached',
        reason: `This mailbox already sent ${limit} messages today (UTC).`,
      };
    }
    return ok({
      ...base,
      canSend: refusal === null,
      reasonCode: refusal?.code ?? null,
      reason: refusal?.reason ?? null,
      suppressed,
      sentToday,
      dailyLimit: limit,
    });
  };
}
