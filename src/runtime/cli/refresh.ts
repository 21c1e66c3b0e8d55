import { buildLifecycleJobs } from '../../composition.js';
import {
  loadCipher,
  loadConfig,
  nodeAdapters,
  nodeLogger,
  openReadyDatabase,
  refuseMissingKeys,
} from '../node-setup.js';

// One pass of the refresh job and health checker, for cron or any scheduler; safe next to running
// servers and other passes. Exits 1 when an integration could not be handled for an unexpected reason.
const startedAt = performance.now();
const config = loadConfig();
const { logger, secrets } = nodeLogger(config, (line) => process.stdout.write(`${line}\n`));
const cipher = await loadCipher(config, { logger, secrets });
const { handle, description } = await openReadyDatabase(config);
try {
  const jobs = buildLifecycleJobs(nodeAdapters(config, handle, { cipher, logger, secrets }));
  await refuseMissingKeys(jobs, description);
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
