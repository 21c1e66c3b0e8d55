import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { IntegrationInput } from '../../application/integration-input.js';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { AppEnv } from './app-env.js';
import { unwrap, validationHook } from './errors.js';
import { authenticatedUser } from './identity.js';
import { logMessageSubscription } from './message-subscription-log.js';
import { json, withErrorResponses } from './openapi-responses.js';
import { capabilityJson, integrationJson, validationJson } from './presenters.js';
import { declareRoute } from './route-facts.js';
import {
  CapabilityResponse,
  IntegrationCreate,
  IntegrationResponse,
  PlatformParam,
  UserQuery,
  ValidationResponse,
} from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/',
  summary: 'List the user’s integrations (secrets masked)',
  request: { query: UserQuery },
  responses: withErrorResponses({ 200: json(z.array(IntegrationResponse), 'The user’s integrations') }),
});

const allCapabilitiesRoute = createRoute({
  method: 'get',
  path: '/capabilities',
  summary: 'What the user can do on each platform, in the order instagram, facebook, tiktok, email',
  request: { query: UserQuery },
  responses: withErrorResponses({ 200: json(z.array(CapabilityResponse), 'One entry per platform') }),
});

const platformCapabilityRoute = createRoute({
  method: 'get',
  path: '/{platform}/capabilities',
  summary: 'What the user can do on one platform',
  request: { params: PlatformParam, query: UserQuery },
  responses: withErrorResponses({ 200: json(CapabilityResponse, 'The platform’s capability') }),
});

const saveRoute = createRoute({
  method: 'post',
  path: '/',
  middleware: [declareRoute({ audit: 'integration.save', limit: 'outbound' })],
  summary: 'Create or replace the user’s integration for a platform, after validating it',
  request: {
    query: UserQuery,
    body: { content: { 'application/json': { schema: IntegrationCreate } }, required: true },
  },
  responses: withErrorResponses({
    200: json(IntegrationResponse, 'Replaced the existing integration'),
    201: json(IntegrationResponse, 'Created'),
  }),
});

const validateRoute = createRoute({
  method: 'post',
  path: '/{platform}/validate',
  middleware: [declareRoute({ audit: 'integration.validate', limit: 'outbound' })],
  summary: 'Check a stored integration with its platform and record the result',
  request: { params: PlatformParam, query: UserQuery },
  responses: withErrorResponses({ 200: json(ValidationResponse, 'The outcome, valid or not') }),
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/{platform}',
  middleware: [declareRoute({ audit: 'integration.delete' })],
  summary: 'Delete the user’s integration for a platform (idempotent)',
  request: { params: PlatformParam, query: UserQuery },
  responses: withErrorResponses({ 204: { description: 'Deleted, or there was nothing to delete' } }),
});

function toInput(body: z.infer<typeof IntegrationCreate>): IntegrationInput {
  if (body.platform === 'email') {
    return {
      platform: 'email',
      emailAddress: body.email_address,
      smtpHost: body.smtp_host,
      smtpPort: body.smtp_port,
      smtpUsername: body.smtp_username,
      smtpPassword: body.smtp_password,
      imap:
        body.imap_host === undefined
          ? null
          : {
              host: body.imap_host,
              port: body.imap_port ?? 993,
              username: body.imap_username ?? null,
              password: body.imap_password ?? null,
            },
    };
  }
  return {
    platform: body.platform,
    loginType: body.login_type ?? null,
    accessToken: body.access_token,
    refreshToken: body.refresh_token ?? null,
    tokenExpiresAt: body.token_expires_at ? new Date(body.token_expires_at) : null,
    pageId: body.page_id ?? null,
    businessId: body.business_id ?? null,
    metadata: body.metadata ?? {},
  };
}

/** The `/api/integrations` resource, for the user `identify` settled on. */
export function integrationRoutes(useCases: UseCases) {
  return new OpenAPIHono<AppEnv>({ strict: false, defaultHook: validationHook })
    .openapi(listRoute, async (c) => {
      const views = await useCases.listIntegrations(authenticatedUser(c));
      return c.json(views.map(integrationJson), 200);
    })
    .openapi(allCapabilitiesRoute, async (c) => {
      const capabilities = await useCases.getAllCapabilities(authenticatedUser(c));
      return c.json(capabilities.map(capabilityJson), 200);
    })
    .openapi(platformCapabilityRoute, async (c) => {
      const { platform } = c.req.valid('param');
      return c.json(
        capabilityJson(await useCases.getPlatformCapability(authenticatedUser(c), platform)),
        200,
      );
    })
    .openapi(saveRoute, async (c) => {
      const input = toInput(c.req.valid('json'));
      const { platform } = input;
      const result = await useCases.saveIntegration(authenticatedUser(c), input);
      await c.var.audit(
        result.ok
          ? {
              action: result.value.created ? 'integration.create' : 'integration.update',
              outcome: 'success',
              platform,
            }
          : { action: 'integration.save', outcome: 'failure', platform, code: result.failure.code },
      );
      const saved = unwrap(result);
      logMessageSubscription(c.var.log, saved);
      return c.json(integrationJson(saved.integration), saved.created ? 201 : 200);
    })
    .openapi(validateRoute, async (c) => {
      const { platform } = c.req.valid('param');
      const outcome = unwrap(await useCases.validateIntegration(authenticatedUser(c), platform));
      // A 200 whose credentials failed: the status alone would record a success.
      if (!outcome.valid) {
        const code = outcome.failureCode;
        await c.var.audit({ action: 'integration.validate', outcome: 'failure', platform, code });
      }
      return c.json(validationJson(outcome), 200);
    })
    .openapi(deleteRoute, async (c) => {
      const { platform } = c.req.valid('param');
      const deletion = await useCases.deleteIntegration(authenticatedUser(c), platform);
      if (deletion !== null) {
        c.var.metrics.revocationEnded(platform, deletion.revocation);
        await c.var.audit({
          action: 'integration.delete',
          outcome: 'success',
          platform,
          revocation: deletion.revocation,
          code: deletion.failureCode,
        });
      }
      return c.body(null, 204);
    });
}
