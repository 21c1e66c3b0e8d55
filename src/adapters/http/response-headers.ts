import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env.js';

/**
 * Security headers on every response, errors included. Hono's default HSTS is 180 days; ASVS 5 asks for a
 * year. The API serves JSON only, so its CSP allows nothing and no page may frame it.
 */
export const securityHeaders = secureHeaders({
  strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  referrerPolicy: 'no-referrer',
  xFrameOptions: 'DENY',
});

/** Responses carry masked credentials and per-user data: no cache may keep them. */
export const noStore: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  // On the response's own headers, as securityHeaders sets its: c.header() on a finished response builds
  // it again, which on Node turns @hono/node-server's light response into a web Response and stream.
  c.res.headers.set('Cache-Control', 'no-store');
};

/**
 * Cross-origin access for exactly these origins (Hono's `cors()` would allow any origin by default), or
 * none at all when the list is empty. Other origins, `null` included, get no Access-Control-Allow-Origin.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler<AppEnv> {
  if (origins.length === 0) return (_c, next) => next();
  return cors({
    origin: (origin) => (origins.includes(origin) ? origin : null),
    allowMethods: ['GET', 'POST', 'DELETE'],
    allowHeaders: ['Authorization', 'Content-Type'],
    exposeHeaders: ['Retry-After', 'X-Request-Id'],
    maxAge: 600,
  });
}
