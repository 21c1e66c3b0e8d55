import { onShutdownSignal } from '../node-process.js';
import { startNode } from '../node-start.js';
import { refreshOnce } from '../periodic-job.js';

// One pass of the refresh job and health checker, for cron or any scheduler; safe next to running
// servers and other passes. Exits 1 when an integration could not be handled for an unexpected reason.
// A signal ends the pass once the integrations in hand are saved.
const { logger, handle, description, jobs } = await startNode((line) => process.stdout.write(`${line}\n`));
const stopping = onShutdownSignal(logger, () => finished);
const finished = (async () => {
  try {
    process.exitCode = (await refreshOnce(jobs, logger, { database: description }, stopping)) > 0 ? 1 : 0;
  } finally {
    await handle.close();
  }
})();
await finished;
