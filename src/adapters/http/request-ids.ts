import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';

// As Hono's requestId middleware accepts them: word characters, '-' and '=', at most 255.
const CLIENT_REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * Gives every request an id of the service's own, answered in `X-Request-Id` and written in its log lines
 * and audit entries. A client's own `X-Request-Id` is kept beside it (`clientRequestId`), never instead:
 * a caller who chose the id of its audit entries could make them collide with, or pass for, others'.
 */
export const requestIds: MiddlewareHandler<AppEnv> = async (c, next) => {
  const id = crypto.randomUUID();
  const client = c.req.header('x-request-id');
  c.set('requestId', id);
  c.set('clientRequestId', client !== undefined && CLIENT_REQUEST_ID.test(client) ? client : undefined);
  c.header('X-Request-Id', id);
  await next();
};
