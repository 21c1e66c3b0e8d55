import type { LogFields } from './ports/logger.js';

/**
 * Log fields for an unexpected error. A failed query's own message repeats its parameters (sealed
 * tokens among them), so the message of its cause, the driver's error, is logged instead.
 */
export function errorFields(error: unknown): LogFields {
  if (!(error instanceof Error)) return { error: typeof error };
  const reason = error.cause instanceof Error ? error.cause.message : error.message;
  return { error: error.name, message: reason };
}
