import type { Integration } from './integration.js';
import { type Connector, connectorOf } from './login.js';

/** How a platform renews a token before it expires. */
export interface Renewal {
  /**
   * The stored secret the platform renews with: TikTok's refresh grant takes the refresh token (and
   * answers with a new one that replaces it); Meta's `fb_exchange_token` takes the current token.
   */
  readonly secret: 'accessToken' | 'refreshToken';
  /** Renew once no more than this share of the token's lifetime (as the platform stated it) is left. */
  readonly leadFraction: number;
  /** Whether a token past its expiry can still be renewed: a refresh token outlives its access token. */
  readonly afterExpiry: boolean;
  /**
   * Whether renewing doubles as the health check: TikTok's user info cannot say when a token expires
   * and a refresh can, so a stale TikTok integration is renewed rather than validated.
   */
  readonly checksHealth: boolean;
  /**
   * How old a token must be before the platform renews it: Instagram Login refuses tokens under 24 hours
   * old. With it, a token whose expiry was never stated is renewed once that old, which states it.
   */
  readonly minAgeMs: number;
}

export interface RefreshRule {
  /** Null when the platform's credentials have nothing to renew (SMTP). */
  readonly renewal: Renewal | null;
}

// Meta issues no refresh token: a long-lived user token is exchanged for a new one while it is still
// valid (an expired one cannot be). Page tokens made from it do not expire, so they are only checked.
const META = {
  renewal: {
    secret: 'accessToken',
    leadFraction: 0.25,
    afterExpiry: false,
    checksHealth: false,
    minAgeMs: 0,
  },
} as const satisfies RefreshRule;

const DAY_MS = 24 * 60 * 60 * 1000;

/** Keyed by connector, like the capability rules. */
export const REFRESH_RULES = {
  instagram: META,
  // Instagram Login's long-lived token is its own refresh credential (`ig_refresh_token`): renewable
  // while valid and at least a day old, never once expired. A quarter of 60 days left is 15 days early.
  instagram_login: {
    renewal: {
      secret: 'accessToken',
      leadFraction: 0.25,
      afterExpiry: false,
      checksHealth: false,
      minAgeMs: DAY_MS,
    },
  },
  facebook: META,
  tiktok: {
    renewal: {
      secret: 'refreshToken',
      leadFraction: 0.25,
      afterExpiry: true,
      checksHealth: true,
      minAgeMs: 0,
    },
  },
  email: { renewal: null },
} as const satisfies Record<Connector, RefreshRule>;

/** The refresh rule of an integration, by its platform and login. */
export function refreshRuleOf(state: Pick<LifecycleState, 'platform' | 'loginType'>): RefreshRule {
  return REFRESH_RULES[connectorOf(state)];
}

export interface RefreshSettings {
  /** How long a successful check or renewal is trusted before the integration is checked again. */
  readonly healthCheckIntervalMs: number;
  /** How long before its expiry a token that will not be renewed is warned about (EXPIRY_WARNING_HOURS). */
  readonly expiryWarningMs: number;
}

/** What the policy reads of a stored integration. */
export type LifecycleState = Pick<
  Integration,
  | 'platform'
  | 'loginType'
  | 'connectionStatus'
  | 'accessToken'
  | 'refreshToken'
  | 'tokenExpiresAt'
  | 'tokenIssuedAt'
  | 'lastVerifiedAt'
> & {
  /** The expiry already warned about; absent or null when none was (a draft never was). */
  readonly expiryWarnedFor?: Date | null;
};

export type RefreshDecision =
  /** Renew with the platform now: expiring, expired but still renewable, or stale where renewing is the check. */
  | { readonly action: 'renew'; readonly renewal: Renewal; readonly reason: 'expiring' | 'expired' | 'stale' }
  /** Validate with the platform now: not checked within the health-check interval, or never. */
  | { readonly action: 'check' }
  /** Record `expired`: the token is past its expiry and nothing can renew it. */
  | { readonly action: 'expire' }
  /** Record (and announce) that this token expires soon and will not be renewed before then. */
  | { readonly action: 'warn' }
  /** Nothing is due before `until`. */
  | { readonly action: 'wait'; readonly until: Date }
  /** Not connected: nothing to keep alive until the user reconnects or validates again. */
  | { readonly action: 'none' };

/** Its platform's renewal, when the secret that renewal needs is stored. */
function renewalOf(state: LifecycleState): Renewal | null {
  const { renewal } = refreshRuleOf(state);
  return renewal !== null && state[renewal.secret] !== null ? renewal : null;
}

/**
 * When to renew: once `leadFraction` of the lifetime is left. Without a sensible issue time the lifetime
 * is unknown, so the token is renewed at once, which tells it.
 */
function renewalTime(expiresAt: number | null, issuedAt: Date | null, renewal: Renewal): number {
  const oldEnough = issuedAt === null ? Number.NEGATIVE_INFINITY : issuedAt.getTime() + renewal.minAgeMs;
  if (expiresAt === null) return renewal.minAgeMs > 0 ? oldEnough : Number.POSITIVE_INFINITY;
  const lifetime = issuedAt === null ? 0 : expiresAt - issuedAt.getTime();
  const due = lifetime > 0 ? expiresAt - renewal.leadFraction * lifetime : Number.NEGATIVE_INFINITY;
  return Math.max(due, oldEnough);
}

/**
 * When to warn that the token expires: `expiryWarningMs` before it does, unless it will be renewed
 * before then (a renewal after expiry still counts) or this expiry was already warned about.
 */
function warningTime(
  state: LifecycleState,
  expiresAt: number | null,
  renewal: Renewal | null,
  renewAt: number,
  settings: RefreshSettings,
): number {
  if (expiresAt === null || state.expiryWarnedFor?.getTime() === expiresAt) return Number.POSITIVE_INFINITY;
  if (renewal !== null && (renewal.afterExpiry || renewAt < expiresAt)) return Number.POSITIVE_INFINITY;
  return expiresAt - settings.expiryWarningMs;
}

/**
 * What keeping one integration alive needs at `now`. Expiry comes only from what the platform said
 * (`tokenExpiresAt`, `tokenIssuedAt`); an integration with no known expiry is not trusted forever but
 * checked again once its last check is older than the health-check interval.
 */
export function decideRefresh(state: LifecycleState, now: Date, settings: RefreshSettings): RefreshDecision {
  if (state.connectionStatus !== 'connected') return { action: 'none' };
  const at = now.getTime();
  const renewal = renewalOf(state);
  const expiresAt = state.tokenExpiresAt?.getTime() ?? null;

  if (expiresAt !== null && expiresAt <= at) {
    return renewal?.afterExpiry ? { action: 'renew', renewal, reason: 'expired' } : { action: 'expire' };
  }
  let renewAt = Number.POSITIVE_INFINITY;
  if (renewal !== null) {
    renewAt = renewalTime(expiresAt, state.tokenIssuedAt, renewal);
    if (renewAt <= at) return { action: 'renew', renewal, reason: 'expiring' };
  }
  const warnAt = warningTime(state, expiresAt, renewal, renewAt, settings);
  if (warnAt <= at) return { action: 'warn' };
  const checkAt =
    state.lastVerifiedAt === null
      ? Number.NEGATIVE_INFINITY
      : state.lastVerifiedAt.getTime() + settings.healthCheckIntervalMs;
  if (checkAt <= at) {
    return renewal?.checksHealth ? { action: 'renew', renewal, reason: 'stale' } : { action: 'check' };
  }
  return {
    action: 'wait',
    until: new Date(Math.min(renewAt, warnAt, checkAt, expiresAt ?? Number.POSITIVE_INFINITY)),
  };
}

/**
 * The shortest wait before an integration just handled is looked at again, so a platform that answers
 * without extending a token (or without saying its expiry) cannot start a busy loop.
 */
export const MIN_RECHECK_MS = 60_000;

/** When the lifecycle job should next look at an integration left in `state`; null for never. */
export function nextCheckAt(state: LifecycleState, now: Date, settings: RefreshSettings): Date | null {
  const decision = decideRefresh(state, now, settings);
  if (decision.action === 'none') return null;
  const soonest = now.getTime() + MIN_RECHECK_MS;
  return new Date(decision.action === 'wait' ? Math.max(decision.until.getTime(), soonest) : soonest);
}

const RETRY_BASE_MS = 60_000;
const RETRY_CAP_MS = 60 * 60_000;

/** When to try again after `attempts` transient failures in a row: after 1, 2, 4 … minutes, at most an hour. */
export function retryAt(attempts: number, now: Date): Date {
  const delay = Math.min(RETRY_BASE_MS * 2 ** Math.max(attempts - 1, 0), RETRY_CAP_MS);
  return new Date(now.getTime() + delay);
}
