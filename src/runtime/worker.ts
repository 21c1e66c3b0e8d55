import { drizzle } from 'drizzle-orm/postgres-js';
import type { ExecutionContext, MiddlewareHandler } from 'hono';
import postgres from 'postgres';
import { composeEdge, type EdgeStart, startEdge } from './edge-start.js';
import { deliverOnce, purgeOnce, refreshOnce } from './periodic-job.js';
import { describePostgres, invalidConfiguration, missingKeyProblem } from './service-start.js';

// The Cloudflare Workers entry: the Node server's app and refresh job on a Hyperdrive connection.

interface WorkerBindings {
  /** Hyperdrive in front of the PostgreSQL database (wrangler.toml `[[hyperdrive]]`). */
  readonly HYPERDRIVE?: { readonly connectionString: string };
  /** The files of `public/` and Swagger UI's, under `/assets/` (wrangler.toml `[assets]`). */
  readonly ASSETS?: { fetch(request: Request): Promise<Response> };
  readonly [name: string]: unknown;
}

type WorkerStart = Awaited<ReturnType<typeof startEdge>>;

// Configuration is read once per isolate. A bad one is logged (wrangler tail) and answers every request
// with a 500 that does not describe the deployment's settings to the public.
let starting: Promise<WorkerStart> | undefined;

function start(env: WorkerBindings): Promise<WorkerStart> {
  starting ??= (async () => {
    const variables: Record<string, string> = {};
    for (const [name, value] of Object.entries(env)) if (typeof value === 'string') variables[name] = value;
    if (env.HYPERDRIVE !== undefined) variables.DATABASE_URL = env.HYPERDRIVE.connectionString;
    // Isolates share nothing, so rate counts always live in PostgreSQL here.
    variables.RATE_LIMIT_STORE = 'database';
    const result = await startEdge(variables, 'Cloudflare Workers', (line) => console.log(line));
    if (!result.ok) console.error(invalidConfiguration(result.problems));
    return result;
  })();
  return starting;
}

const workersAssets =
  (assets: WorkerBindings['ASSETS']): MiddlewareHandler =>
  async (c, next) => {
    const response = assets === undefined ? null : await assets.fetch(c.req.raw);
    if (response === null || response.status === 404) return next();
    // A copy, whose headers the app may still set (security headers, no-store).
    return new Response(response.body, response);
  };

// One client per request or cron run, and never sql.end(): the runtime closes the socket when the
// invocation ends, and end() in workerd leaves an unhandled "Stream was cancelled" rejection.
function service(started: EdgeStart, env: WorkerBindings) {
  const db = drizzle(
    postgres(started.config.databaseUrl, {
      max: 1,
      fetch_types: false,
      connect_timeout: 5,
      onnotice: () => {},
    }),
  );
  return composeEdge(started, db, {
    staticAssets: workersAssets(env.ASSETS),
    socketAddress: (c) => c.req.header('cf-connecting-ip'),
  });
}

async function fetch(request: Request, env: WorkerBindings, context: ExecutionContext): Promise<Response> {
  const result = await start(env);
  if (!result.ok) {
    return Response.json(
      { detail: 'The service is misconfigured; its log names the problem.', code: 'internal_error' },
      { status: 500, headers: { 'Cache-Control': 'no-store' } },
    );
  }
  return service(result.started, env).app.fetch(request, env, context);
}

// Checked once per isolate, before its first job; an outage during the check is tried again next time.
let keyCheck: Promise<string | null> | undefined;

/** The cron trigger: one pass of the refresh job and health checker, as `npm run refresh` does, and of webhook delivery. */
async function refresh(env: WorkerBindings): Promise<void> {
  const result = await start(env);
  if (!result.ok) throw new Error(invalidConfiguration(result.problems));
  const { jobs, logger } = service(result.started, env);
  keyCheck ??= missingKeyProblem(jobs, describePostgres(result.started.config.databaseUrl));
  const problem = await keyCheck.catch((error: unknown) => {
    keyCheck = undefined;
    throw error;
  });
  if (problem !== null) {
    logger.error('refresh refused: ENCRYPTION_KEY cannot open the stored secrets', { problem });
    throw new Error(problem);
  }
  const [failed] = await Promise.all([
    refreshOnce(jobs, logger),
    deliverOnce(jobs, logger),
    purgeOnce(jobs, logger),
  ]);
  if (failed > 0) throw new Error(`${failed} integrations could not be handled; see the log`);
}

export default {
  fetch,
  scheduled(_controller: unknown, env: WorkerBindings, context: ExecutionContext) {
    context.waitUntil(refresh(env));
  },
};
