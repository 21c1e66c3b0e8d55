import { type MetricsRecorder, noMetrics } from '../adapters/metrics/metrics-recorder.js';
import { errorFields } from '../application/error-fields.js';
import type { Logger } from '../application/ports/logger.js';
import type { DeliveryReport } from '../application/use-cases/deliver-webhooks.js';
import { REFRESH_OUTCOMES, type RefreshReport } from '../application/use-cases/refresh-due-integrations.js';
import type { LifecycleJobs } from '../application/use-cases/use-cases.js';
import type { Config } from '../config.js';

export interface PeriodicJob {
  /** Cancels the next run and resolves once the current one (if any) has finished. */
  stop(): Promise<void>;
  /** Runs now instead of at the next interval, or once more right after the current run. */
  wake(): void;
}

/**
 * Runs `run` right away and then `intervalMs` after each run ends, so runs never overlap. A run that
 * throws is reported to `onError` and the schedule goes on.
 */
export function startPeriodicJob(
  run: () => Promise<void>,
  intervalMs: number,
  onError: (error: unknown) => void,
): PeriodicJob {
  let stopped = false;
  let current: Promise<void> | null = null;
  let woken = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    woken = false;
    current = run()
      .catch(onError)
      .finally(() => {
        current = null;
        if (!stopped) timer = setTimeout(tick, woken ? 0 : intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
    wake() {
      if (stopped) return;
      if (current !== null) woken = true;
      else {
        clearTimeout(timer);
        timer = setTimeout(tick, 0);
      }
    },
  };
}

/** A pass of the in-process refresher: info when it handled something, debug when there was nothing to do. */
function logRefreshRun(logger: Logger, report: RefreshReport): void {
  const handled = REFRESH_OUTCOMES.reduce((sum, outcome) => sum + report[outcome], 0);
  if (handled > 0) logger.info('refresh run', report);
  else logger.debug('refresh run', report);
}

/** The in-process refresher every REFRESH_INTERVAL_SECONDS, or null (and a line saying so) when it is off. */
export function startRefresher(
  config: Config,
  jobs: LifecycleJobs,
  logger: Logger,
  stopping?: AbortSignal,
  metrics: MetricsRecorder = noMetrics,
): PeriodicJob | null {
  if (!config.lifecycle.enabled) {
    logger.info('background refresh is off (REFRESH_ENABLED=false)', {
      hint: 'run npm run refresh from a scheduler instead',
    });
    return null;
  }
  return startPeriodicJob(
    async () => {
      const report = await jobs.refreshDueIntegrations({ signal: stopping });
      metrics.refreshRan(report);
      logRefreshRun(logger, report);
    },
    config.lifecycle.intervalMs,
    (error) => logger.error('refresh run failed', errorFields(error)),
  );
}

/**
 * One pass of the refresh job for a scheduler (`npm run refresh`, the Workers cron), ending with one line
 * (early, once the integrations in hand are saved, when `stopping` aborts); resolves to how many integrations could not be handled for an unexpected reason.
 */
export async function refreshOnce(
  jobs: LifecycleJobs,
  logger: Logger,
  fields: Readonly<Record<string, string>> = {},
  stopping?: AbortSignal,
): Promise<number> {
  const startedAt = performance.now();
  const report = await jobs.refreshDueIntegrations({ signal: stopping });
  logger.info(stopping?.aborted ? 'refresh run stopped' : 'refresh run finished', {
    ...report,
    ...fields,
    duration_ms: Math.round(performance.now() - startedAt),
  });
  return report.failed;
}

/** The in-process IMAP poller every IMAP_POLL_SECONDS, or null when it is off or IMAP cannot run here. */
export function startMailboxPoller(
  config: Config,
  jobs: LifecycleJobs,
  logger: Logger,
  stopping?: AbortSignal,
): PeriodicJob | null {
  if (!config.imap.enabled) return null;
  return startPeriodicJob(
    async () => {
      const report = await jobs.pollMailboxes({ signal: stopping });
      if (report.received + report.bounced + report.failed + report.leaseLost > 0) {
        logger.info('mailbox poll run', { ...report });
      }
    },
    config.imap.settings.intervalMs,
    (error) => logger.error('mailbox poll run failed', errorFields(error)),
  );
}

/** How often delivery looks for due retries; new events wake it as soon as they commit. */
const DELIVERY_POLL_MS = 1000;

function logDeliveryRun(logger: Logger, report: DeliveryReport): void {
  const handled = report.delivered + report.retrying + report.gone + report.failed;
  if (handled > 0) logger.info('webhook delivery run', { ...report });
}

/** The in-process webhook delivery, or null when WEBHOOK_URLS is unset. */
export function startWebhookDelivery(
  config: Config,
  jobs: LifecycleJobs,
  logger: Logger,
  stopping?: AbortSignal,
): PeriodicJob | null {
  if (config.webhooks.endpoints.length === 0) return null;
  return startPeriodicJob(
    async () => logDeliveryRun(logger, await jobs.deliverWebhooks({ signal: stopping })),
    DELIVERY_POLL_MS,
    (error) => logger.error('webhook delivery run failed', errorFields(error)),
  );
}

/** One pass of webhook delivery for a scheduler (the Workers cron). */
export async function deliverOnce(jobs: LifecycleJobs, logger: Logger): Promise<void> {
  logDeliveryRun(logger, await jobs.deliverWebhooks());
}

/** How often the retention purge runs in a server; a pass that stops at its batch cap resumes then. */
const PURGE_INTERVAL_MS = 60 * 60_000;

/** One pass of the retention purge, logged when it deleted anything. */
export async function purgeOnce(jobs: LifecycleJobs, logger: Logger, stopping?: AbortSignal): Promise<void> {
  const { events, metaMids } = await jobs.purgeEvents({ signal: stopping });
  if (events > 0) logger.info('expired events purged', { purged: events });
  if (metaMids > 0) logger.info('expired Meta message ids purged', { purged: metaMids });
}

/** The in-process retention purge: at start, then every hour (every instance; they share the work). */
export function startEventPurge(jobs: LifecycleJobs, logger: Logger, stopping?: AbortSignal): PeriodicJob {
  return startPeriodicJob(
    () => purgeOnce(jobs, logger, stopping),
    PURGE_INTERVAL_MS,
    (error) => logger.error('event purge failed', errorFields(error)),
  );
}
