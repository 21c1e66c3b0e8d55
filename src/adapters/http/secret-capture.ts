import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';

/** The body fields the API defines as secrets (schemas.ts): passwords, tokens, the OAuth code and state. */
const SECRET_BODY_FIELDS = [
  'smtp_password',
  'imap_password',
  'access_token',
  'refresh_token',
  'code',
  'state',
] as const;
// Bounds on what one request can make its own log lines redact: a few secrets, none so short that
// redacting it would blank ordinary words.
const MOST_CARRIED = 8;
const SHORTEST_CARRIED = 8;

/** The secrets one request carries, filled as it learns them, for the logger of that request. */
export function carriedSecrets() {
  const values: string[] = [];
  const add = (found: Iterable<string>) => {
    for (const value of found) {
      if (values.length === MOST_CARRIED) return;
      if (value.length >= SHORTEST_CARRIED && !values.includes(value)) values.push(value);
    }
  };
  return { values, add };
}

/** Redacts the Authorization header (whole, and its credential) in every line the request logs. */
export const captureHeaderSecrets: MiddlewareHandler<AppEnv> = async (c, next) => {
  const authorization = c.req.header('authorization');
  if (authorization !== undefined) c.var.redact([authorization, authorization.replace(/^\S+\s+/, '')]);
  await next();
};

/** The same for the secret fields of a JSON body (run after the body limit). */
export const captureBodySecrets: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header('content-type')?.toLowerCase().includes('json')) {
    // Hono caches the parsed body, so the route's validator reads the same parse (or the same failure).
    const body: unknown = await c.req.json().catch(() => null);
    if (body !== null && typeof body === 'object') {
      const fields = body as Record<string, unknown>;
      c.var.redact(
        SECRET_BODY_FIELDS.map((name) => fields[name]).filter((value) => typeof value === 'string'),
      );
    }
  }
  await next();
};
