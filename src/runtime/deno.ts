import { composeEdge, startEdge } from './edge-start.js';
import { nodeStaticAssets } from './node-static-assets.js';
import { startEventPurge, startRefresher, startWebhookDelivery } from './periodic-job.js';
import {
  describePostgres,
  invalidConfiguration,
  missingKeyProblem,
  openServicePostgres,
  shutDownOnSignal,
  startupWarnings,
} from './service-start.js';

// The Deno entry, for `deno serve` (see the README): the same app and refresh job as the Node server, on
// a pooled PostgreSQL connection. Deno runs the Node server's static file middleware through its Node
// compatibility layer.

declare const Deno: {
  readonly env: { toObject(): Record<string, string> };
  exit(code: number): never;
  addSignalListener(signal: 'SIGTERM' | 'SIGINT', handler: () => void): void;
};

/** The second argument `deno serve` passes to fetch, which Hono exposes as `c.env`. */
interface ServeInfo {
  readonly remoteAddr?: { readonly hostname?: string };
}

function refuse(line: string): never {
  console.error(line);
  return Deno.exit(1);
}

const start = await startEdge(Deno.env.toObject(), 'Deno', (line) => console.log(line));
if (!start.ok) refuse(invalidConfiguration(start.problems));
const { started } = start;
const { config } = started;
const { db } = openServicePostgres(config, navigator.hardwareConcurrency);
const { app, jobs, logger } = composeEdge(started, db, {
  staticAssets: nodeStaticAssets,
  socketAddress: (c) => (c.env as ServeInfo | undefined)?.remoteAddr?.hostname,
});

// As the Node server does: no job runs with a keyring that cannot open what is stored.
const database = describePostgres(config.databaseUrl);
const problem = await missingKeyProblem(jobs, database).catch((error: Error) =>
  refuse(`Cannot reach ${database}: ${error.message}`),
);
if (problem !== null) refuse(problem);
for (const { message, hint } of startupWarnings(config)) logger.warn(message, { hint });

const refresher = startRefresher(config, jobs, logger);
// Delivery here looks for due events every second: no LISTEN connection is opened on Deno.
const delivery = startWebhookDelivery(config, jobs, logger);
const purge = startEventPurge(jobs, logger);
// Their timers would keep the process alive; a renewal or attempt in flight is saved before it exits.
shutDownOnSignal(
  (signal, handler) => Deno.addSignalListener(signal, handler),
  logger,
  async () => {
    await Promise.all([refresher?.stop(), delivery?.stop(), purge.stop()]);
  },
  (code) => Deno.exit(code),
);

export default { fetch: app.fetch };
