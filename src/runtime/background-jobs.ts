import type { MetricsRecorder } from '../adapters/metrics/metrics-recorder.js';
import type { DatabaseHandle } from '../adapters/persistence/database.js';
import { listenForOutboxCommits } from '../adapters/persistence/outbox-notifications.js';
import type { Logger } from '../application/ports/logger.js';
import type { LifecycleJobs } from '../application/use-cases/use-cases.js';
import type { Config } from '../config.js';
import { backfillWhileServing } from './mask-backfill.js';
import { startEventPurge, startMailboxPoller, startRefresher, startWebhookDelivery } from './periodic-job.js';

// The background jobs of a Node process: the server's (BACKGROUND_JOBS, the first worker) or `npm run jobs`.

export interface BackgroundJobs {
  /** Which jobs run (the refresher, delivery and poller are off when their settings say so). */
  readonly running: readonly string[];
  /**
   * Stops listening for new events and resolves once every job has finished what it holds (a renewal or
   * a delivery in flight is saved); the caller closes the database after.
   */
  stop(): Promise<void>;
}

/**
 * Starts the refresher, webhook delivery (woken by the outbox NOTIFY of each commit), the event purge, the
 * IMAP poller and the token mask backfill; `stopping` tells them to take no new work.
 */
export async function startBackgroundJobs(
  config: Config,
  handle: DatabaseHandle,
  jobs: LifecycleJobs,
  logger: Logger,
  stopping: AbortSignal,
  metrics?: MetricsRecorder,
): Promise<BackgroundJobs> {
  const backfill = backfillWhileServing(jobs, logger, stopping);
  const refresher = startRefresher(config, jobs, logger, stopping, metrics);
  const delivery = startWebhookDelivery(config, jobs, logger, stopping);
  const purge = startEventPurge(jobs, logger, stopping);
  const poller = startMailboxPoller(config, jobs, logger, stopping);
  const unlisten = delivery === null ? null : await listenForOutboxCommits(handle, () => delivery.wake());
  const running = [
    ...(refresher === null ? [] : ['refresh']),
    ...(delivery === null ? [] : ['webhook delivery']),
    'event purge',
    ...(poller === null ? [] : ['imap poll']),
    'mask backfill',
  ];
  return {
    running,
    async stop() {
      await unlisten?.();
      await Promise.all([refresher?.stop(), delivery?.stop(), purge.stop(), poller?.stop(), backfill]);
    },
  };
}
