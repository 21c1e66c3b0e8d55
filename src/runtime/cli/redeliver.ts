import { parseArgs } from 'node:util';
import { startNode, stop } from '../node-start.js';

// Re-queues the failed webhook deliveries of events that happened since --since, with a fresh retry
// schedule; a running server (or the next Workers cron) delivers them. Safe next to running servers.
const { values } = parseArgs({ options: { since: { type: 'string' } } });
const since = values.since === undefined ? null : new Date(values.since);
if (since === null || Number.isNaN(since.getTime()) || !/^\d{4}-\d{2}-\d{2}/.test(values.since ?? '')) {
  stop('--since must be an ISO time, like --since 2026-01-31T00:00:00Z');
}

const { handle, description, jobs } = await startNode((line) => process.stderr.write(`${line}\n`), {
  checkKeys: false,
});
try {
  const count = await jobs.redeliverFailed(since);
  process.stdout.write(
    `${count} failed deliveries of events since ${since.toISOString()} in ${description} are due again.\n`,
  );
} finally {
  await handle.close();
}
