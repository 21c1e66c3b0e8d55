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

type Deps = Pick<
  OutreachPorts,
  'repository' | 'clock' | 'mailSender' | 'suppressions' | 'windows' | 'dailySends' | 'outreach'
>;

/** What the pre-check reads about the recipient besides the integration. */
type RecipientFacts =
  | { readonly kind: 'meta'; readonly window: WindowRecord | null }
  | { readonly kind: 'email'; readonly suppressed: boolean; readonly sentToday: number }
  | { readonly kind: 'none' };

/** Whether a send to `recipient` now would go out, by the same rules as a send, without sending. */
export function checkRecipient(ports: Deps) {
  async function recipientFacts(
    userId: string,
    platform: Platform,
    recipient: string,
    now: Date,
  ): Promise<RecipientFacts> {
    if (isMetaMessagingPlatform(platform)) {
      return { kind: 'meta', window: await ports.windows.find(userId, platform, recipient) };
    }
    if (platform !== 'email') return { kind: 'none' };
    const [suppressed, sentToday] = await Promise.all([
      ports.suppressions.isSuppressed(userId, normalizeAddress(recipient)),
      ports.dailySends.count(userId, utcDay(now)),
    ]);
    return { kind: 'email', suppressed, sentToday };
  }

  return async (userId: string, platform: Platform, recipient: string): Promise<Result<RecipientCheck>> => {
    const now = ports.clock.now();
    // Independent reads, sent together: one round trip to the database instead of two or three.
    const [integration, facts] = await Promise.all([
      ports.repository.find(userId, platform),
      recipientFacts(userId, platform, recipient, now),
    ]);
    const gate = sendingCapability(platform, integration, now, ports.mailSender);
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
