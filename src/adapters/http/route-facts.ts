import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { AuditAction } from '../../application/ports/audit-log.js';
import type { AppEnv } from './app-env.js';

/** What a route declares about itself, for the middleware that runs before its handler. */
export interface RouteFacts {
  /** Every request to the route gets an audit entry with this action, whatever its outcome. */
  readonly audit?: AuditAction;
  /**
   * The tighter rate-limit bucket the route also counts against: `outbound` for routes that lead to a call
   * to a platform or an SMTP server (RATE_LIMIT_OUTBOUND_PER_MINUTE).
   */
  readonly limit?: 'outbound';
}

const declared = new WeakMap<object, RouteFacts>();
const perRequest = new WeakMap<Context, RouteFacts>();
const NONE: RouteFacts = {};

/**
 * Declares a route's facts: put it in the route's `middleware`. It does nothing when it runs; the router
 * has matched it for the request before any middleware runs, so the app-wide middleware can read the facts
 * (`routeFacts`) even when it answers before the route is reached.
 */
export function declareRoute(facts: RouteFacts): MiddlewareHandler<AppEnv> {
  const declaration: MiddlewareHandler<AppEnv> = (_c, next) => next();
  declared.set(declaration, facts);
  return declaration;
}

/** The facts the matched route declared; none for a route that declared nothing, or no route. */
export function routeFacts(c: Context): RouteFacts {
  let facts = perRequest.get(c);
  if (facts === undefined) {
    facts = NONE;
    for (const { handler } of matchedRoutes(c)) {
      const found = declared.get(handler);
      if (found !== undefined) {
        facts = found;
        break;
      }
    }
    perRequest.set(c, facts);
  }
  return facts;
}
