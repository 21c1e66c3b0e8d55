import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.js';
import { databaseUnavailable } from './errors.js';
import { json } from './openapi-responses.js';
import { ErrorResponse } from './schemas.js';

// Probes answer without identity, whatever the API requires.
const unauthenticated = [] as const;

const livenessRoute = createRoute({
  method: 'get',
  path: '/healthz',
  summary: 'Liveness: the process answers',
  security: [...unauthenticated],
  responses: { 200: json(z.object({ status: z.literal('ok') }), 'The process is running') },
});

const readinessRoute = createRoute({
  method: 'get',
  path: '/readyz',
  summary: 'Readiness: the database answers',
  security: [...unauthenticated],
  responses: {
    200: json(z.object({ status: z.literal('ready') }), 'Ready to serve'),
    503: {
      ...json(ErrorResponse, 'The database is not answering'),
      headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait' } },
    },
  },
});

/** `/healthz` and `/readyz`, for orchestrators. */
export function healthRoutes(isDatabaseReady: () => Promise<boolean>) {
  return new OpenAPIHono<AppEnv>({ strict: false })
    .openapi(livenessRoute, (c) => c.json({ status: 'ok' as const }, 200))
    .openapi(readinessRoute, async (c) => {
      if (await isDatabaseReady()) return c.json({ status: 'ready' as const }, 200);
      return databaseUnavailable(c);
    });
}
