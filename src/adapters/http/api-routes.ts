import { OpenAPIHono } from '@hono/zod-openapi';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { AppEnv } from './app-env.js';
import { auditRoutes } from './audit-routes.js';
import { eventRoutes } from './event-routes.js';
import { healthRoutes } from './health-routes.js';
import { integrationRoutes } from './integration-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { outreachRoutes } from './outreach-routes.js';

/**
 * Every API route, chained so that the returned type lists them for Hono's typed client (`AppType`).
 * Apart from the pages: a frontend that imports this type must not type-check the service's JSX.
 */
export function apiRoutes(useCases: UseCases, isDatabaseReady: () => Promise<boolean>) {
  return new OpenAPIHono<AppEnv>({ strict: false })
    .route('/', healthRoutes(isDatabaseReady))
    .route('/api/integrations/audit', auditRoutes(useCases))
    .route('/api/integrations/oauth', oauthRoutes(useCases))
    .route('/api/integrations', integrationRoutes(useCases))
    .route('/api/outreach', outreachRoutes(useCases))
    .route('/api/events', eventRoutes(useCases));
}

export type ApiRoutes = ReturnType<typeof apiRoutes>;
