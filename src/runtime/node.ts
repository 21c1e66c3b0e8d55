import { serve } from '@hono/node-server';
import { createJsonLogger } from '../adapters/logging/json-logger.js';
import { errorFields } from '../application/error-fields.js';
import { REFRESH_OUTCOMES } from '../application/use-cases/refresh-due-integrations.js';
import { buildApp, buildLifecycleJobs } from '../composition.js';
import { loadCipher, loadConfig, nodeAdapters, openReadyDatabase, refuseMissingKeys } from './node-setup.js';
import { startPeriodicJob } from './periodic-job.js';

async function main() {
  const startedAt = performance.now();
  const config = loadConfig();
  const logger = createJsonLogger(config.logLevel, (line) => process.stdout.write(`${line}\n`));
  const cipher = await loadCipher(config, logger);
  const { handle, description } = await openReadyDatabase(config);
  const adapters = nodeAdapters(config, handle, cipher, logger);
  const jobs = buildLifecycleJobs(adapters);
  await refuseMissingKeys(jobs, description);
  logger.info('database ready', { database: description });

  const app = buildApp(adapters);
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (address) => {
    logger.info('listening', {
      url: `http://${config.host}:${address.port}`,
      startup_ms: Math.round(performance.now() - startedAt),
    });
  });

  const refresher = config.lifecycle.enabled
    ? startPeriodicJob(
        async () => {
          const report = await jobs.refreshDueIntegrations();
          const handled = REFRESH_OUTCOMES.reduce((sum, outcome) => sum + report[outcome], 0);
          if (handled > 0) logger.info('refresh run', report);
          else logger.debug('refresh run', report);
        },
        config.lifecycle.intervalMs,
        (error) => logger.error('refresh run failed', errorFields(error)),
      )
    : null;
  if (refresher === null) {
    logger.info('background refresh is off (REFRESH_ENABLED=false)', {
      hint: 'run npm run refresh from a scheduler instead',
    });
  }

  const shutdown = (signal: string) => {
    logger.info('shutting down', { signal });
    server.close(async () => {
      // A refresh in flight finishes first, so a renewed token is saved rather than lost.
      await refresher?.stop();
      await handle.close();
      process.exit(0);
    });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

await main();
