import type { Clock } from '../ports/clock.js';
import type { EventLog } from '../ports/event-outbox.js';
import { retentionStart } from './list-events.js';

export interface PurgeEventsDeps {
  readonly eventLog: EventLog;
  readonly clock: Clock;
  /** EVENT_RETENTION_DAYS. */
  readonly retentionDays: number;
  /** Events one statement deletes: short transactions, so writers and other purgers never wait long. */
  readonly batchSize: number;
  /** Batches one pass deletes at most; the next pass goes on where it stopped. */
  readonly maxBatches: number;
}

export type PurgeEvents = (options?: { signal?: AbortSignal | undefined }) => Promise<number>;

/**
 * One pass of the retention purge: deletes events older than EVENT_RETENTION_DAYS (and their finished
 * deliveries) batch after batch until a batch comes back short, `maxBatches` were deleted, or `signal`
 * aborts. Any number of instances may run it at once: each batch takes rows no other holds. Resolves to
 * how many events it deleted.
 */
export function purgeEvents(deps: PurgeEventsDeps): PurgeEvents {
  return async ({ signal } = {}) => {
    const before = retentionStart(deps.clock, deps.retentionDays);
    let purged = 0;
    for (let batch = 0; batch < deps.maxBatches && signal?.aborted !== true; batch++) {
      const deleted = await deps.eventLog.purge(before, deps.batchSize);
      purged += deleted;
      if (deleted < deps.batchSize) break;
    }
    return purged;
  };
}
