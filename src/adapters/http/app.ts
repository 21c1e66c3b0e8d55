import { OpenAPIHono } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { Logger } from '../../application/ports/logger.js';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { AppEnv } from './app-env.js';
import { errorResponse, FailureResponse } from './errors.js';
import { healthRoutes } from './health-routes.js';
import { integrationRoutes } from './integration-routes.js';
import { oauthRoutes } from './oauth-routes.js';
import { serveOpenApiDocument } from './openapi-document.js';
import { ASSETS_PATH } from './web/asset-paths.js';
import { webRoutes } from './web/web-routes.js';

export interface AppDeps {
  readonly useCases: UseCases;
  readonly logger: Logger;
  /** Whether the database answers; drives `/readyz`. */
  readonly isDatabaseReady: () => Promise<boolean>;
  /** Serves the browser pages' files under `/assets/` (each runtime has its own way to read them). */
  readonly staticAssets: MiddlewareHandler;
}

const MAX_BODY_BYTES = 64 * 1024;

// Query strings are left out: they may carry user ids and OAuth redirect URIs.
const logRequests =
  (logger: Logger): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const started = performance.now();
    await next();
    logger.info('request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
    });
  };

const hasBody = (request: Request) =>
  request.headers.has('transfer-encoding') || Number(request.headers.get('content-length') ?? 0) > 0;

const requireJsonBody: MiddlewareHandler<AppEnv> = async (c, next) => {
  const mediaType = c.req.header('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (hasBody(c.req.raw) && mediaType !== 'application/json') {
    return errorResponse(c, {
      code: 'unsupported_media_type',
      detail: 'Send the request body as JSON with Content-Type: application/json.',
    });
  }
  await next();
};

/**
 * The service's HTTP API and browser pages, shared by every runtime and by tests (`app.request()`).
 * Its type carries every API route, for Hono's typed client (`hc<App>`).
 */
export function createApp({ useCases, logger, isDatabaseReady, staticAssets }: AppDeps) {
  const app = new OpenAPIHono<AppEnv>({ strict: false });

  app.use(requestId());
  app.use(logRequests(logger));
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        errorResponse(c, { code: 'payload_too_large', detail: 'The request body is larger than 64 KiB.' }),
    }),
  );
  app.use('/api/*', requireJsonBody);

  // Chained, so that the returned type lists the routes.
  const api = app
    .route('/', healthRoutes(isDatabaseReady))
    .route('/api/integrations/oauth', oauthRoutes(useCases))
    .route('/api/integrations', integrationRoutes(useCases));
  serveOpenApiDocument(app);
  app.route('/', webRoutes());
  app.use(`${ASSETS_PATH}/*`, staticAssets);

  app.notFound((c) =>
    errorResponse(c, { code: 'not_found', detail: `No route for ${c.req.method} ${c.req.path}.` }),
  );
  app.onError((error, c) => {
    if (error instanceof FailureResponse) return errorResponse(c, error.failure);
    if (error instanceof HTTPException && error.status === 400) {
      return errorResponse(c, { code: 'invalid_request', detail: 'The request body is not valid JSON.' });
    }
    logger.error('unhandled error', {
      request_id: c.get('requestId'),
      error: error.name,
      message: error.message,
    });
    return errorResponse(c, { code: 'internal_error', detail: 'Something went wrong on our side.' });
  });

  return api;
}

export type App = ReturnType<typeof createApp>;
