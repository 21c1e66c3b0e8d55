import type { Server } from 'node:http';
import { errorFields } from '../application/error-fields.js';
import type { Logger } from '../application/ports/logger.js';

/**
 * How long the work in flight may take before the process exits anyway: inside the 10 s a process
 * manager (Docker, systemd, Kubernetes) waits after SIGTERM before it kills.
 */
const GRACE_MS = 8_000;
/** How long open keep-alive connections may go on with requests after the server stops accepting. */
const DRAIN_MS = 3_000;

/**
 * On the first SIGTERM or SIGINT: logs "shutting down", aborts the returned signal (jobs stop taking new
 * work), runs `stop` (finish what is in flight, close what is open) and exits with `process.exitCode`.
 * Repeats are ignored: a Ctrl+C reaches a process both from the terminal and from npm, which passes it on.
 */
export function shutDownOnSignal(logger: Logger, stop: () => Promise<void>): AbortSignal {
  const stopping = new AbortController();
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    stopping.abort();
    logger.info('shutting down', { signal });
    setTimeout(() => {
      logger.error('shutdown took too long: exiting with work unfinished', { grace_ms: GRACE_MS });
      process.exit(1);
    }, GRACE_MS).unref();
    stop().then(
      () => process.exit(),
      (error: unknown) => {
        logger.error('shutdown failed', errorFields(error));
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  return stopping.signal;
}

/** Stops accepting connections and resolves once open ones have ended, closing any still open after DRAIN_MS. */
export function stopServing(server: Pick<Server, 'close' | 'closeAllConnections'>): Promise<void> {
  const drained = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  return new Promise((resolve) =>
    server.close(() => {
      clearTimeout(drained);
      resolve();
    }),
  );
}
