import { DatabaseUnavailable } from '../../application/ports/database-unavailable.js';

// Socket errors, and postgres.js's own codes for a connection it lost or could not open.
const CONNECTION_ERROR_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
]);

// SQLSTATE class 08 (connection exception), shutdown in progress (57P01-57P03), too many connections.
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123]|53300)$/;

/** Whether an error (or one it wraps, as Drizzle's query errors do) means the database cannot be reached. */
export function isConnectionFailure(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && (CONNECTION_ERROR_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code))) {
      return true;
    }
    current = current.cause;
  }
  return false;
}

/**
 * The longest any one call may take. The service's queries are point lookups and single-row writes, so
 * one still running after this means the database is not answering (a black-holed network, a pool stuck
 * reconnecting), and the caller gets its 503 in time instead of hanging. A write that completes after the
 * deadline is still one whole statement: never a half-written row.
 */
const DEADLINE_MS = 1500;

/**
 * Runs a database call, turning a connection failure, or no answer within the deadline, into the
 * port-level `DatabaseUnavailable`.
 */
export async function reachable<T>(work: () => PromiseLike<T>): Promise<T> {
  // Drizzle's queries run each time `then` is called, so adopt the query exactly once.
  const running = Promise.resolve().then(work);
  running.catch(() => {});
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailable()), DEADLINE_MS);
  });
  try {
    return await Promise.race([running, deadline]);
  } catch (error) {
    if (error instanceof DatabaseUnavailable || isConnectionFailure(error)) throw new DatabaseUnavailable();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
