import type { MiddlewareHandler } from 'hono';
import { SECRET_NAME } from '../logging/secret-values.js';
import type { AppEnv } from './app-env.js';

const DEEPEST = 8;

/** String values under secret-sounding names anywhere in a parsed JSON body. */
function secretsIn(value: unknown, underSecretName: boolean, depth = 0): string[] {
  if (typeof value === 'string') return underSecretName ? [value] : [];
  if (value === null || typeof value !== 'object' || depth > DEEPEST) return [];
  return Object.entries(value).flatMap(([name, item]) =>
    secretsIn(item, underSecretName || SECRET_NAME.test(name), depth + 1),
  );
}

/**
 * Registers the secrets in the request line and headers (the Authorization header, secret-named query
 * parameters) for redaction, so no log line written while the request runs can contain them in any encoding.
 */
export const captureHeaderSecrets: MiddlewareHandler<AppEnv> = async (c, next) => {
  const values: string[] = [];
  const authorization = c.req.header('authorization');
  if (authorization !== undefined) values.push(authorization, authorization.replace(/^\S+\s+/, ''));
  for (const [name, found] of Object.entries(c.req.queries())) {
    if (SECRET_NAME.test(name)) values.push(...found);
  }
  c.var.redact(values);
  await next();
};

/** The same for secret-named fields anywhere in a JSON body (run after the body limit). */
export const captureBodySecrets: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.header('content-type')?.toLowerCase().includes('json')) {
    // Hono caches the parsed body, so the route's validator reads the same parse (or the same failure).
    c.var.redact(secretsIn(await c.req.json().catch(() => null), false));
  }
  await next();
};
