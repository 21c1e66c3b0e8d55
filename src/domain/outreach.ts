import type { ErrorCode } from './errors.js';
import type { LoginType } from './login.js';
import type { Platform } from './platform.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** How a platform's messages go out, and the rules that hold before anything is sent. */
type OutreachRule =
  /**
   * Meta's Send API through the linked Page: replies only while the person's last message is under
   * `replyWindowMs` old, or `humanAgentWindowMs` with the HUMAN_AGENT tag.
   */
  | { readonly channel: 'meta'; readonly replyWindowMs: number; readonly humanAgentWindowMs: number }
  /** SMTP through the user's mailbox: a per-user suppression list and a daily cap per mailbox. */
  | { readonly channel: 'smtp' }
  /** No sanctioned way to send; the capability policy refuses before any rule here is read. */
  | { readonly channel: 'none' };

const META_RULE = { channel: 'meta', replyWindowMs: DAY_MS, humanAgentWindowMs: 7 * DAY_MS } as const;

export const OUTREACH_RULES = {
  instagram: META_RULE,
  facebook: META_RULE,
  tiktok: { channel: 'none' },
  email: { channel: 'smtp' },
} as const satisfies Record<Platform, OutreachRule>;

/** The platforms a message can go out on, by channel. */
export type MetaMessagingPlatform = {
  [P in Platform]: (typeof OUTREACH_RULES)[P]['channel'] extends 'meta' ? P : never;
}[Platform];

/** What sends a platform's messages: Instagram through Instagram Login has its own Send API host. */
export type MessagingConnector = MetaMessagingPlatform | 'instagram_login';

export function messagingConnector(
  platform: MetaMessagingPlatform,
  loginType: LoginType | null,
): MessagingConnector {
  return platform === 'instagram' && loginType === 'instagram' ? 'instagram_login' : platform;
}

export function isMetaMessagingPlatform(platform: Platform): platform is MetaMessagingPlatform {
  return OUTREACH_RULES[platform].channel === 'meta';
}

export const MESSAGE_STATUSES = ['sent', 'failed'] as const;

export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

export const SUPPRESSION_REASONS = ['unsubscribed', 'bounced', 'manual'] as const;

export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** The only message tag this service sends with: a person replying, up to 7 days after the last message. */
export const MESSAGE_TAGS = ['HUMAN_AGENT'] as const;

export type MessageTag = (typeof MESSAGE_TAGS)[number];

/** Email addresses compare case-insensitively: suppressions and the log keep them lower-cased. */
export const normalizeAddress = (address: string) => address.trim().toLowerCase();

/** What is known about one person's conversation with an account. */
export interface WindowRecord {
  /** When the person last wrote (from inbound platform webhooks); null when never recorded. */
  readonly lastInboundAt: Date | null;
  /** When Meta last answered a plain reply with "outside the allowed window". */
  readonly closedAt: Date | null;
  /** When Meta last answered a HUMAN_AGENT reply so. */
  readonly humanAgentClosedAt: Date | null;
}

export const WINDOW_STATES = ['open', 'closed', 'unknown'] as const;

export type WindowState = (typeof WINDOW_STATES)[number];

export interface MessagingWindow {
  /** Whether a plain reply may go out now. */
  readonly state: WindowState;
  /** Whether a HUMAN_AGENT reply may go out now. */
  readonly humanAgentState: WindowState;
  /** When plain replies stop (or stopped); null when the last message is unknown. */
  readonly closesAt: Date | null;
  /** When HUMAN_AGENT replies stop (or stopped); null when the last message is unknown. */
  readonly humanAgentUntil: Date | null;
}

const after = (at: Date | null, than: Date | null) =>
  at !== null && (than === null || at.getTime() >= than.getTime());

function stateOf(lastInboundAt: Date | null, closedAt: Date | null, until: Date | null, now: Date) {
  // A refusal newer than the person's last message closes the window until they write again.
  if (closedAt !== null && !after(lastInboundAt, closedAt)) return 'closed';
  if (until === null) return 'unknown';
  return now.getTime() < until.getTime() ? 'open' : 'closed';
}

/** The window for one person at `now`, under a Meta platform's rule. */
export function decideWindow(
  platform: MetaMessagingPlatform,
  record: WindowRecord | null,
  now: Date,
): MessagingWindow {
  const rule = OUTREACH_RULES[platform];
  const last = record?.lastInboundAt ?? null;
  const closesAt = last === null ? null : new Date(last.getTime() + rule.replyWindowMs);
  const humanAgentUntil = last === null ? null : new Date(last.getTime() + rule.humanAgentWindowMs);
  return {
    state: stateOf(last, record?.closedAt ?? null, closesAt, now),
    humanAgentState: stateOf(last, record?.humanAgentClosedAt ?? null, humanAgentUntil, now),
    closesAt,
    humanAgentUntil,
  };
}

/** The window state that decides a reply with (or without) a tag. */
export const windowFor = (window: MessagingWindow, tag: MessageTag | null): WindowState =>
  tag === 'HUMAN_AGENT' ? window.humanAgentState : window.state;

/** Seconds from `now` to the next 00:00 UTC, when daily caps start again (at least 1). */
export function secondsUntilNextUtcDay(now: Date): number {
  const next = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((next - now.getTime()) / 1000));
}

/** The start of `now`'s UTC day, the key daily counts are kept under. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * `utcDay`, remembering the last day it printed: within that day, two comparisons instead of a
 * `toISOString` per call (on the email pre-check, a request's most expensive line of its own).
 */
export function rememberedUtcDay(): (now: Date) => string {
  let start = Number.NaN;
  let day = '';
  return (now) => {
    const time = now.getTime();
    if (!(time >= start && time < start + DAY_MS)) {
      start = Math.floor(time / DAY_MS) * DAY_MS;
      day = utcDay(now);
    }
    return day;
  };
}

/** The domain part of an address, for a Message-ID at the sender's own domain. */
export function addressDomain(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

// A send the platform refused because of the stored credentials: the integration's status follows.
const CREDENTIAL_REFUSALS: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'token_expired',
  'token_revoked',
  'credentials_rejected',
  'smtp_auth_failed',
]);

/** Whether a send's failure means the platform no longer accepts the stored credentials. */
export const isCredentialRefusal = (code: ErrorCode) => CREDENTIAL_REFUSALS.has(code);
