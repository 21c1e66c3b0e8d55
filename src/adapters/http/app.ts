import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import type { AuditLog } from '../../application/ports/audit-log.js';
import type { Clock } from '../../application/ports/clock.js';
import { DatabaseUnavailable } from '../../application/ports/database-unavailable.js';
import type { RateLimitStore } from '../../application/ports/rate-limit-store.js';
import type { UseCases } from '../../application/use-cases/use-cases.js';
import type { RedactingLogger } from '../logging/json-logger.js';
import type { MetricsRecorder } from '../metrics/metrics-recorder.js';
import { apiRoutes } from './api-routes.js';
import type { AppEnv } from './app-env.js';
import { auditTrail } from './audit-trail.js';
import { resolveClientAddress } from './client-address.js';
import { refuseDuplicateKeys } from './duplicate-keys.js';
import { databaseUnavailable, errorResponse, FailureResponse } from './errors.js';
import { identify, type VerifyBearerToken } from './identity.js';
import { META_WEBHOOK_PATH, type MetaWebhookOptions, metaWebhooks } from './meta-webhook-routes.js';
import { measureRequests, type metricsRoutes } from './metrics-routes.js';
import { OPENAPI_PATH, serveOpenApiDocument } from './openapi-document.js';
import { type RateLimits, rateLimit } from './rate-limit.js';
import { requestIds } from './request-ids.js';
import { corsFor, noStore, securityHeaders } from './response-headers.js';
import { captureBodySecrets, captureHeaderSecrets, carriedSecrets } from './secret-capture.js';
import { ASSETS_PATH } from './web/asset-paths.js';
import {
  DATA_DELETION_PATH,
  DOCS_PATH,
  PAGE_PATHS,
  pageHeaders,
  SETTINGS_PATH,
  webRoutes,
} from './web/web-routes.js';

/** How the HTTP edge authenticates, throttles and shares; each runtime fills it from its configuration. */
export interface HttpSecurity {
  /** Checks bearer tokens; null is development mode, where `?user_id=` names the user. */
  readonly verifyBearer: VerifyBearerToken | null;
  readonly corsOrigins: readonly string[];
  readonly rateLimits: RateLimits;
  /** The connecting peer's address as the runtime sees it (the socket); undefined where there is none. */
  readonly socketAddress: (c: Context) => string | undefined;
  /** A header a trusted reverse proxy sets to the client's address; null means use the socket's. */
  readonly clientAddressHeader: string | null;
}

export interface AppDeps {
  readonly useCases: UseCases;
  /** Each request logs through `logger.carrying(the secrets it carries)`. */
  readonly logger: RedactingLogger;
  readonly auditLog: AuditLog;
  readonly rateLimitStore: RateLimitStore;
  readonly clock: Clock;
  /** Whether the database answers; drives `/readyz`. */
  readonly isDatabaseReady: () => Promise<boolean>;
  readonly security: HttpSecurity;
  /** Serves the browser pages' files under `/assets/` (each runtime has its own way to read them). */
  readonly staticAssets: MiddlewareHandler;
  /** Counts requests, sends and revokes. */
  readonly metrics: MetricsRecorder;
  /** `GET /metrics` on this app; null where it is served elsewhere (METRICS_PORT) or not at all. */
  readonly metricsRoutes: ReturnType<typeof metricsRoutes> | null;
  /** What checks Meta's calls to `/webhooks/meta*`. */
  readonly metaWebhooks: MetaWebhookOptions;
}

const MAX_BODY_BYTES = 64 * 1024;

// Query strings are left out: they may carry user ids and OAuth redirect URIs. Every line a request writes
// redacts the secrets it carries (and only those: no request's secrets cost or change another's lines).
const logRequests =
  (logger: RedactingLogger): MiddlewareHandler<AppEnv> =>
  async (c, next) => {
    const started = performance.now();
    const carried = carriedSecrets();
    const log = logger.carrying(carried.values);
    c.set('redact', carried.add);
    c.set('log', log);
    await next();
    const clientRequestId = c.get('clientRequestId');
    log.info('request', {
      request_id: c.get('requestId'),
      ...(clientRequestId === undefined ? {} : { client_request_id: clientRequestId }),
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
  if (hasBody(c.req.raw) && mediaType !== 'application/json') return unsupportedMediaType(c);
  await next();
};

const tooLarge = (c: Context<AppEnv>) =>
  errorResponse(c, { code: 'payload_too_large', detail: 'The request body is larger than 64 KiB.' });

const unsupportedMediaType = (c: Context<AppEnv>) =>
  errorResponse(c, {
    code: 'unsupported_media_type',
    detail: 'Send the request body as JSON with Content-Type: application/json.',
  });

/**
 * The service's HTTP API and browser pages, shared by every runtime and by tests (`app.request()`).
 * The API routes' type, for Hono's typed client, is `apiRoutes`'s.
 */
export function createApp(deps: AppDeps) {
  const { useCases, logger, security } = deps;
  const app = new OpenAPIHono<AppEnv>({ strict: false });

  app.use(measureRequests(deps.metrics));
  app.use(requestIds);
  app.use(logRequests(logger));
  // Before securityHeaders, so that it runs after it on the way out: the pages' CSP replaces the API's.
  for (const path of PAGE_PATHS) app.use(path, pageHeaders);
  app.use(securityHeaders);
  app.use(noStore);
  app.use(corsFor(security.corsOrigins));
  app.use(resolveClientAddress(security.socketAddress, security.clientAddressHeader));
  app.use('/api/*', captureHeaderSecrets);
  // Beside the API, the routes that cost more than a static file (generated pages and documents) count
  // against the client address's limit too.
  const addressLimited = [
    '/api/*',
    '/webhooks/*',
    OPENAPI_PATH,
    `${SETTINGS_PATH}/*`,
    `${DOCS_PATH}/*`,
    `${DATA_DELETION_PATH}/*`,
  ];
  const limitAddress = rateLimit('address', security.rateLimits, deps.rateLimitStore, deps.clock);
  for (const path of addressLimited) app.use(path, auditTrail(deps.auditLog));
  // Meta delivers from a few shared addresses and disables a subscription whose deliveries keep failing,
  // so a delivery whose signature verifies is told apart here and not held to the address limit.
  const meta = metaWebhooks(useCases, deps.metaWebhooks);
  app.use(META_WEBHOOK_PATH, meta.checkDelivery);
  // Who is asking comes before reading any body, so unauthenticated callers cannot make the service read one.
  for (const path of addressLimited) app.use(path, limitAddress);
  app.use('/api/*', identify(security.verifyBearer, { store: deps.rateLimitStore, clock: deps.clock }));
  app.use('/api/*', rateLimit('user', security.rateLimits, deps.rateLimitStore, deps.clock));
  const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });
  // bodyLimit asks for the body stream even where it then only compares Content-Length (which the HTTP
  // parser holds the body to), and on Node asking builds a full web Request, stream and AbortController
  // instead of reading the body straight off the socket; so it is left only the bodies it must count.
  app.use('/api/*', async (c, next) => {
    const length = c.req.header('content-length');
    const uncounted = length === undefined || c.req.header('transfer-encoding') !== undefined;
    if (uncounted && c.req.method !== 'GET' && c.req.method !== 'HEAD') return limitBody(c, next);
    // A GET or HEAD body is never read, but one announced too large is refused as for any other method (R20).
    return Number(length ?? 0) > MAX_BODY_BYTES ? tooLarge(c) : next();
  });
  app.use('/api/*', requireJsonBody);
  app.use('/api/*', refuseDuplicateKeys);
  app.use('/api/*', captureBodySecrets);

  app.route('/', apiRoutes(useCases, deps.isDatabaseReady));
  app.route('/', meta.routes);
  serveOpenApiDocument(app);
  app.route('/', webRoutes({ useCases, developmentIdentity: security.verifyBearer === null }));
  app.use(`${ASSETS_PATH}/*`, deps.staticAssets);
  if (deps.metricsRoutes !== null) app.route('/', deps.metricsRoutes);

  app.notFound((c) =>
    errorResponse(c, { code: 'not_found', detail: `No route for ${c.req.method} ${c.req.path}.` }),
  );
  app.onError((error, c) => {
    if (error instanceof FailureResponse) return errorResponse(c, error.failure);
    if (error instanceof DatabaseUnavailable) return databaseUnavailable(c);
    // Hono's validators refuse a body they cannot read: unparseable JSON, or a body whose size the
    // headers did not announce sent as something other than JSON.
    if (error instanceof HTTPException && error.status === 400) {
      return errorResponse(c, { code: 'invalid_request', detail: 'The request body is not valid JSON.' });
    }
    if (error instanceof HTTPException && error.status === 415) return unsupportedMediaType(c);
    // The client's request broke off while its body was read (Node has already answered a malformed
    // one with 400 and closed the connection): nothing failed here, and nobody reads this answer.
    if (c.req.raw.signal.aborted) {
      c.var.log.info('request broke off', { request_id: c.get('requestId'), error: error.name });
      return errorResponse(c, { code: 'invalid_request', detail: 'The request broke off.' });
    }
    // A summary only: the messages of driver and query errors can quote SQL parameters.
    const code = (error as { code?: unknown }).code;
    c.var.log.error('unhandled error', {
      request_id: c.get('requestId'),
      error: error.name,
      code: typeof code === 'string' ? code : null,
    });
    return errorResponse(c, { code: 'internal_error', detail: 'Something went wrong on our side.' });
  });

  return app;
}
