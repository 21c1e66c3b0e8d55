import type { Clock } from '../ports/clock.js';
import type { EventLog } from '../ports/event-outbox.js';
import type { InboundMessageStore } from '../ports/inbound-message-store.js';
import { retentionStart } from './list-events.js';

/**
 * How long a Meta message's `mid` is kept to recognise its redeliveries: Meta retries a failed webhook
 * delivery for up to about 36 hours, so a week leaves a wide margin.
 */
export const META_MID_RETENTION_DAYS = 7;

export interface PurgeEventsDeps {
  readonly eventLog: EventLog;
  /** Where the `mid`s of Meta's messages are kept to drop redeliveries. */
  readonly inbox: Pick<InboundMessageStore, 'purge'>;
  readonly clock: Clock;
  /** EVENT_RETENTION_DAYS. */
  readonly retentionDays: number;
  /** Rows one statement deletes: short transactions, so writers and other purgers never wait long. */
  readonly batchSize: number;
  /** Batches one pass deletes at most of each kind; the next pass goes on where it stopped. */
  readonly maxBatches: number;
}

export interface PurgeReport {
  /** Events older than EVENT_RETENTION_DAYS, with their finished deliveries. */
  readonly events: number;
  /** Meta message `mid`s older than {@link META_MID_RETENTION_DAYS}. */
  readonly metaMids: number;
}

export type PurgeEvents = (options?: { signal?: AbortSignal | undefined }) => Promise<PurgeReport>;

/**
 * One pass of the retention purge: deletes events older than EVENT_RETENTION_DAYS (and their finished
 * deliveries), then Meta message `mid`s older than {@link META_MID_RETENTION_DAYS}, each batch after batch
 * until a batch comes back short, `maxBatches` were deleted, or `signal` aborts. Any number of instances
 * may run it at once: each batch takes rows no other holds. Resolves to how many rows of each it deleted.
 */
export function purgeEvents(deps: PurgeEventsDeps): PurgeEvents {
  return async ({ signal } = {}) => {
    const inBatches = async (purge: (limit: number) => Promise<number>) => {
      let purged = 0;
      for (let batch = 0; batch < deps.maxBatches && signal?.aborted !== true; batch++) {
        const deleted = await purge(deps.batchSize);
        purged += deleted;
        if (deleted < deps.batchSize) break;
      }
      return purged;
    };
    const eventsBefore = retentionStart(deps.clock, deps.retentionDays);
    const events = await inBatches((limit) => deps.eventLog.purge(eventsBefore, limit));
    const midsBefore = retentionStart(deps.clock, META_MID_RETENTION_DAYS);
    const metaMids = await inBatches((limit) => deps.inbox.purge(midsBefore, limit));
    return { events, metaMids };
  };
}
