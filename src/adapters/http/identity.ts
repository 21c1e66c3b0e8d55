import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from '../../application/ports/clock.js';
import type { RateLimitStore } from '../../application/ports/rate-limit-store.js';
import type { AppEnv } from './app-env.js';
import { addressBucket } from './client-address.js';
import { errorResponse, fieldErrors, invalidRequestDetail } from './errors.js';
import { firstInWindow } from './rate-limit.js';
import { DevelopmentUserId } from './schemas.js';

/** Checks a bearer token; resolves to the user it names (its `sub`), or null for any token it refuses. */
export type VerifyBearerToken = (token: string) => Promise<string | null>;

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/**
 * Decides who is calling. With a token verifier, every request needs `Authorization: Bearer <jwt>` and the
 * user is the token's subject; a `user_id` naming anyone else is refused with 403 whether or not that user
 * has anything, so another user's data and no data look the same. Without one (development), `user_id`
 * names the user.
 */
export function identify(
  verify: VerifyBearerToken | null,
  denials: { readonly store: RateLimitStore; readonly clock: Clock },
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (verify === null) {
      const parsed = DevelopmentUserId.safeParse({ user_id: c.req.query('user_id') });
      if (!parsed.success) {
        const errors = fieldErrors(parsed.error);
        return errorResponse(c, { code: 'invalid_request', detail: invalidRequestDetail(errors) }, errors);
      }
      c.set('userId', parsed.data.user_id);
      return next();
    }

    const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
    const subject = token === undefined ? null : await verify(token);
    if (subject === null) {
      // Anyone can send these, from many addresses: one entry per client and window, not per request.
      const who = addressBucket(c.get('clientAddress'));
      if (await firstInWindow(denials.store, denials.clock, 'unauthenticated', who)) {
        await c.var.audit({ action: 'request.denied', outcome: 'denied', code: 'unauthenticated' });
      }
      c.header('WWW-Authenticate', 'Bearer');
      return errorResponse(c, {
        code: 'unauthenticated',
        detail: 'Send a valid bearer token: Authorization: Bearer <token>.',
      });
    }
    c.set('userId', subject);
    const claimed = (c.req.queries('user_id') ?? []).find((userId) => userId !== subject);
    if (claimed !== undefined) {
      await c.var.audit({
        action: 'request.denied',
        outcome: 'denied',
        code: 'forbidden',
        targetUserId: claimed,
      });
      return errorResponse(c, {
        code: 'forbidden',
        detail: 'user_id must be left out or name the user the bearer token belongs to.',
      });
    }
    return next();
  };
}

/** The user `identify` settled on; every `/api` route runs after it. */
export function authenticatedUser(c: Context<AppEnv>): string {
  const userId = c.get('userId');
  if (userId === undefined) throw new Error('No authenticated user: the identify middleware did not run');
  return userId;
}
