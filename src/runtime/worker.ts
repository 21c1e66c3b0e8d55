import { drizzle } from 'drizzle-orm/postgres-js';
import type { ExecutionContext, MiddlewareHandler } from 'hono';
import postgres from 'postgres';
import { DrizzleRateLimitStore } from '../adapters/persistence/drizzle-rate-limit-store.js';
import { buildApp, buildLifecycleJobs } from '../composition.js';
import {
  type EdgeService,
  type EdgeStart,
  edgeAdapters,
  edgeSecurity,
  invalidConfiguration,
  startEdgeService,
} from './edge-service.js';

// The Cloudflare Workers entry: the Node server's app and refresh job on a Hyperdrive connection.

interface WorkerBindings {
  /** Hyperdrive in front of the PostgreSQL database (wrangler.toml `[[hyperdrive]]`). */
  readonly HYPERDRIVE?: { readonly connectionString: string };
  /** The files of `public/` and Swagger UI's, under `/assets/` (wrangler.toml `[assets]`). */
  readonly ASSETS?: { fetch(request: Request): Promise<Response> };
  readonly [name: string]: unknown;
}

const write = (line: string) => console.log(line);

// Configuration is read once per isolate. A bad one is logged (wrangler tail) and answers every request
// with a 500 that does not describe the deployment's settings to the public.
let started: Promise<EdgeStart> | undefined;

function start(env: WorkerBindings): Promise<EdgeStart> {
  started ??= (async () => {
    const variables: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) if (typeof value === 'string') variables[name] = value;
    if (env.HYPERDRIVE !== undefined) variables.DATABASE_URL = env.HYPERDRIVE.connectionString;
    const result = await startEdgeService(variables, 'Cloudflare Workers', write);
    if (!result.ok) console.error(invalidConfiguration(result.problems));
    return result;
  })();
  return started;
}

// One client per request or cron run, and never sql.end(): the runtime closes the socket when the
// invocation ends, and end() in workerd leaves an unhandled "Stream was cancelled" rejection.
function openDatabase(service: EdgeService) {
  return drizzle(
    postgres(service.config.databaseUrl, {
      max: 1,
      fetch_types: false,
      connect_timeout: 5,
      onnotice: () => {},
    }),
  );
}

const workersAssets =
  (assets: WorkerBindings['ASSETS']): MiddlewareHandler =>
  async (c, next) => {
    const response = assets === undefined ? null : await assets.fetch(c.req.raw);
    if (response === null || response.status === 404) return next();
    // A copy, whose headers the app may still set (security headers, no-store).
    return new Response(response.body, response);
  };

function adapters(service: EdgeService, env: WorkerBindings) {
  const db = openDatabase(service);
  // Isolates share nothing, so rate counts always live in PostgreSQL here.
  return edgeAdapters(service, db, {
    rateLimitStore: new DrizzleRateLimitStore(db),
    staticAssets: workersAssets(env.ASSETS),
  });
}

async function fetch(request: Request, env: WorkerBindings, context: ExecutionContext): Promise<Response> {
  const result = await start(env);
  if (!result.ok) {
    return Response.json(
      {
        detail: 'The service is misconfigured; its log names the problem.',
        code: 'internal_error',
      },
      { status: 500, headers: { 'Cache-Control': 'no-store' } },
    );
  }
  const app = buildApp(
    adapters(result.service, env),
    edgeSecurity(result.service, (c) => c.req.header('cf-connecting-ip')),
  );
  return app.fetch(request, env, context);
}

/** The cron trigger: one pass of the refresh job and health checker, as `npm run refresh` does. */
async function refresh(env: WorkerBindings): Promise<void> {
  const result = await start(env);
  if (!result.ok) throw new Error(invalidConfiguration(result.problems));
  const { service } = result;
  const startedAt = performance.now();
  const report = await buildLifecycleJobs(adapters(service, env)).refreshDueIntegrations();
  service.logger.info('refresh run finished', {
    ...report,
    duration_ms: Math.round(performance.now() - startedAt),
  });
  if (report.failed > 0) throw new Error(`${report.failed} integrations could not be handled; see the log`);
}

export default {
  fetch,
  scheduled(_controller: unknown, env: WorkerBindings, context: ExecutionContext) {
    context.waitUntil(refresh(env));
  },
};
