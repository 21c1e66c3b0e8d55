import { startNode } from '../node-start.js';
import { refreshOnce } from '../periodic-job.js';

// One pass of the refresh job and health checker, for cron or any scheduler; safe next to running
// servers and other passes. Exits 1 when an integration could not be handled for an unexpected reason.
const { logger, handle, description, jobs } = await startNode((line) => process.stdout.write(`${line}\n`));
try {
  process.exitCode = (await refreshOnce(jobs, logger, { database: description })) > 0 ? 1 : 0;
} finally {
  await handle.close();
}
