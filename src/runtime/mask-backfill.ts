import { errorFields } from '../application/error-fields.js';
import type { Logger } from '../application/ports/logger.js';
import type { LifecycleJobs } from '../application/use-cases/use-cases.js';

const ROWS_PER_BATCH = 500;

/**
 * Stores the masks of tokens kept without one (databases migrated from the Python service), so listing
 * never decrypts; a line saying what it did, or null when every token had its mask already. `stopping`
 * ends it after the batch in hand; the next run resumes.
 */
export async function backfillTokenMasks(
  jobs: LifecycleJobs,
  stopping?: AbortSignal,
): Promise<string | null> {
  const report = await jobs.backfillTokenMasks({ batchSize: ROWS_PER_BATCH, signal: stopping });
  if (report.rows === 0) return null;
  return (
    `Stored the token masks of ${report.masked} integrations` +
    (report.unreadable > 0 ? `; ${report.unreadable} hold a token no ENCRYPTION_KEY key opens` : '') +
    (report.changed > 0 ? `; ${report.changed} were rewritten meanwhile (with masks)` : '')
  );
}

/** The backfill in the background of a server that has started serving, logged; resolves when it ends. */
export function backfillWhileServing(
  jobs: LifecycleJobs,
  logger: Logger,
  stopping: AbortSignal,
): Promise<void> {
  return backfillTokenMasks(jobs, stopping).then(
    (line) => {
      if (line !== null) logger.info(line);
    },
    (error: unknown) => logger.error('token mask backfill failed', errorFields(error)),
  );
}
