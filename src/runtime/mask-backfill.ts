import type { LifecycleJobs } from '../application/use-cases/use-cases.js';

const ROWS_PER_BATCH = 500;

/**
 * Stores the masks of tokens kept without one (databases migrated from the Python service), so listing
 * never decrypts; a line saying what it did, or null when every token had its mask already.
 */
export async function backfillTokenMasks(jobs: LifecycleJobs, signal?: AbortSignal): Promise<string | null> {
  const report = await jobs.backfillTokenMasks({ batchSize: ROWS_PER_BATCH, signal });
  if (report.rows === 0) return null;
  return (
    `Stored the token masks of ${report.masked} integrations` +
    (report.unreadable > 0 ? `; ${report.unreadable} hold a token no ENCRYPTION_KEY key opens` : '') +
    (report.changed > 0 ? `; ${report.changed} were rewritten meanwhile (with masks)` : '')
  );
}
