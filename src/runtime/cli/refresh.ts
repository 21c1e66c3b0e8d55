import { shutDownOnSignal } from '../graceful-shutdown.js';
import { startNode } from '../node-setup.js';

// One pass of the refresh job and health checker, for cron or any scheduler; safe next to running
// servers and other passes. Exits 1 when an integration could not be handled for an unexpected reason.
const startedAt = performance.now();
const { logger, handle, description, jobs } = await startNode((line) => process.stdout.write(`${line}\n`));
// A signal ends the pass once the integrations in hand are saved.
const stopping = shutDownOnSignal(logger, () => finished);
const finished = (async () => {
  try {
    const report = await jobs.refreshDueIntegrations({ signal: stopping });
    logger.info(stopping.aborted ? 'refresh run stopped' : 'refresh run finished', {
      ...report,
      database: description,
      duration_ms: Math.round(performance.now() - startedAt),
    });
    process.exitCode = report.failed > 0 ? 1 : 0;
  } finally {
    await handle.close();
  }
})();
await finished;
