import { startNode } from '../node-setup.js';

// One pass of the refresh job and health checker, for cron or any scheduler; safe next to running
// servers and other passes. Exits 1 when an integration could not be handled for an unexpected reason.
const startedAt = performance.now();
const { logger, handle, description, jobs } = await startNode((line) => process.stdout.write(`${line}\n`));
try {
  const report = await jobs.refreshDueIntegrations();
  logger.info('refresh run finished', {
    ...report,
    database: description,
    duration_ms: Math.round(performance.now() - startedAt),
  });
  process.exitCode = report.failed > 0 ? 1 : 0;
} finally {
  await handle.close();
}
