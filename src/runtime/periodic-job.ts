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
