import type { MiddlewareHandler } from 'hono';
import type { Clock } from '../../application/ports/clock.js';
import type { RateLimitStore } from '../../application/ports/rate-limit-store.js';
import type { AppEnv } from './app-env.js';
import { addressBucket } from './client-address.js';
import { errorResponse } from './errors.js';
import { routeFacts } from './route-facts.js';

const WINDOW_MS = 60_000;

export interface RateLimits {
  /** Requests per minute on every route; 0 turns rate limiting off altogether. */
  readonly perMinute: number;
  /** Requests per minute on routes that call out to a platform or SMTP server; 0 lifts this tighter limit. */
  readonly outboundPerMinute: number;
}

const windowOf = (clock: Clock) => {
  const now = clock.now().getTime();
  return { now, start: new Date(now - (now % WINDOW_MS)) };
};

/**
 * Whether this is the first time `event` happened for `who` in the current window: for events that get
 * one audit entry per client and window, not one per request, so a flood cannot fill the audit log.
 */
export async function firstInWindow(
  store: RateLimitStore,
  clock: Clock,
  event: string,
  who: string,
): Promise<boolean> {
  return (await store.hit(`${event}:${who}`, windowOf(clock).start)) === 1;
}

/**
 * Fixed one-minute windows per client address (`by: 'address'`, before authentication, so floods of bad
 * tokens are throttled too) or per user (`by: 'user'`, after it). A route that calls out to someone else's
 * server (`declareRoute({ limit: 'outbound' })`) also counts against the tighter outbound limit: each such
 * request costs an outbound connection and, unthrottled, would make the service an oracle for guessing
 * passwords. Over the limit: 429 with `Retry-After`, and one audit entry per client and window (not per
 * request, so a flood cannot fill the audit log). A Meta webhook delivery whose signature verified
 * (`metaDelivery`) is neither counted nor refused: Meta answers a 429 with retries and in the end turns the
 * subscription off, and its deliveries come from a few addresses that many apps share.
 */
export function rateLimit(
  by: 'address' | 'user',
  limits: RateLimits,
  store: RateLimitStore,
  clock: Clock,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (limits.perMinute === 0 || c.get('metaDelivery') !== undefined) return next();
    const who = by === 'user' ? (c.get('userId') ?? '') : addressBucket(c.get('clientAddress'));
    const { now, start: windowStart } = windowOf(clock);
    const buckets = [{ name: 'all', limit: limits.perMinute }];
    if (limits.outboundPerMinute > 0 && routeFacts(c).limit === 'outbound') {
      buckets.push({ name: 'outbound', limit: limits.outboundPerMinute });
    }
    for (const bucket of buckets) {
      const hits = await store.hit(`${by}:${bucket.name}:${who}`, windowStart);
      if (hits <= bucket.limit) continue;
      if (hits === bucket.limit + 1) {
        await c.var.audit({ action: 'request.rate_limited', outcome: 'denied', code: 'rate_limited' });
      }
      c.header('Retry-After', String(Math.ceil((windowStart.getTime() + WINDOW_MS - now) / 1000)));
      return errorResponse(c, {
        code: 'rate_limited',
        detail: 'Too many requests. Try again after the number of seconds in the Retry-After header.',
      });
    }
    return next();
  };
}
