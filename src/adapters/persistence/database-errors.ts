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

/** Runs a database call, turning a connection failure into the port-level `DatabaseUnavailable`. */
export async function reachable<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isConnectionFailure(error)) throw new DatabaseUnavailable();
    throw error;
  }
}
