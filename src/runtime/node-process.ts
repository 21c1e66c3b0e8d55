import type { Server } from 'node:http';
import type { Logger } from '../application/ports/logger.js';
import { shutDownOnSignal } from './service-start.js';

// How a Node process (the server, a command, the demo) ends.

/** `shutDownOnSignal` for this process: the returned signal aborts at the first SIGTERM or SIGINT. */
export function onShutdownSignal(logger: Logger, close: () => Promise<void>): AbortSignal {
  return shutDownOnSignal(
    (signal, handler) => process.on(signal, handler),
    logger,
    close,
    (code) => process.exit(code),
  );
}

/** How long open keep-alive connections may go on with requests after the server stops accepting. */
const DRAIN_MS = 3_000;

/** Stops accepting connections; resolves once open ones have ended, closing those left after DRAIN_MS. */
export function stopServing(server: Pick<Server, 'close' | 'closeAllConnections'>): Promise<void> {
  const drained = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
  return new Promise((resolve) =>
    server.close(() => {
      clearTimeout(drained);
      resolve();
    }),
  );
}
