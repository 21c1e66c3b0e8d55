import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { AppEnv } from './app-env.js';
import { unwrap, validationHook } from './errors.js';
import { authenticatedUser } from './identity.js';
import { logMessageSubscription } from './message-subscription-log.js';
import { json, withErrorResponses } from './openapi-responses.js';
import { integrationJson } from './presenters.js';
import { declareRoute } from './route-facts.js';
import {
  AuthorizationResponse,
  IntegrationResponse,
  OAuthAuthorizeQuery,
  OAuthCallbackRequest,
  PlatformParam,
  UserQuery,
} from './schemas.js';

const authorizeRoute = createRoute({
  method: 'get',
  path: '/{platform}/authorize',
  middleware: [declareRoute({ audit: 'oauth.start', limit: 'outbound' })],
  summary: 'Start connecting a platform: the consent URL to send the user to',
  request: { params: PlatformParam, query: OAuthAuthorizeQuery },
  responses: withErrorResponses({
    200: json(AuthorizationResponse, 'The consent URL and when it stops working'),
  }),
});

const callbackRoute = createRoute({
  method: 'post',
  path: '/{platform}/callback',
  middleware: [declareRoute({ audit: 'oauth.callback', limit: 'outbound' })],
  summary: 'Finish connecting: exchange the code the platform returned, validate and save',
  request: {
    params: PlatformParam,
    query: UserQuery,
    body: { content: { 'application/json': { schema: OAuthCallbackRequest } }, required: true },
  },
  responses: withErrorResponses({
    200: json(IntegrationResponse, 'Replaced the existing integration'),
    201: json(IntegrationResponse, 'Created'),
  }),
});

/** The `/api/integrations/oauth` resource: authorize, then callback. */
export function oauthRoutes(useCases: UseCases) {
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook })
    .openapi(authorizeRoute, async (c) => {
      const { redirect_uri, login } = c.req.valid('query');
      const started = unwrap(
        await useCases.startOAuth(
          authenticatedUser(c),
          c.req.valid('param').platform,
          redirect_uri,
          login ?? null,
        ),
      );
      return c.json(
        { authorization_url: started.authorizationUrl, expires_at: started.expiresAt.toISOString() },
        200,
      );
    })
    .openapi(callbackRoute, async (c) => {
      const { code, state, redirect_uri } = c.req.valid('json');
      const saved = unwrap(
        await useCases.completeOAuth(authenticatedUser(c), c.req.valid('param').platform, {
          code,
          state,
          redirectUri: redirect_uri,
        }),
      );
      logMessageSubscription(c.var.log, saved);
      return c.json(integrationJson(saved.integration), saved.created ? 201 : 200);
    });
}
