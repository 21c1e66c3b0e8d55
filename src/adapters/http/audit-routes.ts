import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { AppEnv } from './app-env.js';
import { validationHook } from './errors.js';
import { authenticatedUser } from './identity.js';
import { json, withErrorResponses } from './openapi-responses.js';
import { auditPageJson } from './presenters.js';
import { AuditPageResponse, PageQuery } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'Page through the audit entries of what the caller did, newest first',
  request: { query: PageQuery },
  responses: withErrorResponses({ 200: json(AuditPageResponse, 'One page of entries') }),
});

/** The `/api/integrations/audit` resource: the caller's own audit entries. */
export function auditRoutes(useCases: UseCases) {
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook }).openapi(
    listRoute,
    async (c) => {
      const { limit, cursor } = c.req.valid('query');
      const page = await useCases.listAuditEntries(authenticatedUser(c), limit, cursor ?? null);
      return c.json(auditPageJson(page), 200);
    },
  );
}
