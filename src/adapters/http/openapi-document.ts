import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './app-env.js';

export const OPENAPI_PATH = '/openapi.json';

const DESCRIPTION = [
  'Connect users’ Instagram, Facebook, TikTok and Email (SMTP) accounts: credentials are validated with the',
  'platform before they are saved, secrets are encrypted at rest and always masked in answers, and',
  '`/capabilities` says which actions a frontend may enable.',
  '',
  'Every error is `{"detail", "code"}` (the `Error` schema), plus `errors` for invalid input.',
].join('\n');

let documentJson: string | undefined;

/** Serves the OpenAPI 3.1 description of every route declared with `createRoute` on `app`. */
export function serveOpenApiDocument(app: OpenAPIHono<AppEnv>) {
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description:
      'A JWT whose `sub` is the user, required on every /api route once the service is configured with ' +
      'AUTH_JWT_SECRET or AUTH_JWKS_URL. Without them (development) the caller names the user with the ' +
      '`user_id` query parameter instead.',
  });
  // Built at the first request (every route is declared by then) and kept: generating it costs milliseconds
  // of CPU, and the routes are the same in every app, including the one a Worker builds per request.
  app.get(OPENAPI_PATH, (c) => {
    documentJson ??= JSON.stringify(
      app.getOpenAPI31Document({
        openapi: '3.1.0',
        info: { title: 'social-integrations', version: '1', description: DESCRIPTION },
        // Either a bearer token or, in development, no credentials at all (user_id names the user).
        security: [{ bearerAuth: [] }, {}],
      }),
    );
    return c.body(documentJson, 200, { 'Content-Type': 'application/json' });
  });
}
