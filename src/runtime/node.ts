import { serve } from '@hono/node-server';
import { startNode } from './node-start.js';
import { startRefresher } from './periodic-job.js';
import { shutDownOnSignal, startupWarnings } from './service-start.js';

const startedAt = performance.now();
const { config, handle, description, app, jobs, logger } = await startNode((line) =>
  process.stdout.write(`${line}\n`),
);
logger.info('database ready', { database: description });
for (const { message, hint } of startupWarnings(config)) logger.warn(message, { hint });

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (address) => {
  logger.info('listening', {
    url: `http://${config.host}:${address.port}`,
    startup_ms: Math.round(performance.now() - startedAt),
  });
});
const refresher = startRefresher(config, jobs, logger);

shutDownOnSignal(
  (signal, handler) => process.once(signal, handler),
  logger,
  async () => {
    await new Promise((resolve) => server.close(resolve));
    // A refresh in flight finishes first, so a renewed token is saved rather than lost.
    await refresher?.stop();
    await handle.close();
  },
  (code) => process.exit(code),
);
