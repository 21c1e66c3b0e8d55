import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { AppEnv } from './app-env.js';
import { validationHook } from './errors.js';
import { authenticatedUser } from './identity.js';
import { json, withErrorResponses } from './openapi-responses.js';
import { eventPageJson } from './presenters.js';
import { EventPageResponse, EventsQuery } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'Page through the events about the caller’s integrations and messages, oldest first',
  request: { query: EventsQuery },
  responses: withErrorResponses({ 200: json(EventPageResponse, 'One page of events') }),
});

/** The `/api/events` resource: the caller's own events, the pull side of the webhooks. */
export function eventRoutes(useCases: UseCases) {
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook }).openapi(
    listRoute,
    async (c) => {
      const { limit, after } = c.req.valid('query');
      const page = await useCases.listEvents(authenticatedUser(c), limit, after ?? null);
      return c.json(eventPageJson(page), 200);
    },
  );
}
