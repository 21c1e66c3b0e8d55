import { backfillTokenMasks } from '../mask-backfill.js';
import { startNode } from '../node-start.js';

// Applies every pending migration, then stores the masks of tokens kept without one (databases migrated
// from the Python service). Log lines (a development-key warning) go to stderr.
const { handle, description, jobs } = await startNode((line) => process.stderr.write(`${line}\n`), {
  checkKeys: false,
  migrate: true,
});
try {
  process.stdout.write(`Migrations applied to ${description}\n`);
  const masked = await backfillTokenMasks(jobs);
  if (masked !== null) process.stdout.write(`${masked}\n`);
} finally {
  await handle.close();
}
