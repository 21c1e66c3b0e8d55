import type { Logger } from '../application/ports/logger.js';
import { REFRESH_OUTCOMES, type RefreshReport } from '../application/use-cases/refresh-due-integrations.js';

export interface PeriodicJob {
  /** Cancels the next run and resolves once the current one (if any) has finished. */
  stop(): Promise<void>;
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
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    current = run()
      .catch(onError)
      .finally(() => {
        current = null;
        if (!stopped) timer = setTimeout(tick, intervalMs);
      });
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current;
    },
  };
}

/** A pass of the in-process refresher: info when it handled something, debug when there was nothing to do. */
export function logRefreshRun(logger: Logger, report: RefreshReport): void {
  const handled = REFRESH_OUTCOMES.reduce((sum, outcome) => sum + report[outcome], 0);
  if (handled > 0) logger.info('refresh run', report);
  else logger.debug('refresh run', report);
}
