import type { ErrorCode } from './errors.js';

/** An expected failure: a stable code for programs and a sentence for people. */
export interface Failure {
  readonly code: ErrorCode;
  readonly detail: string;
  /** How long to wait before trying again, when the refusal says (a rate or daily limit). */
  readonly retryAfterSeconds?: number;
}

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly failure: Failure };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });

export const fail = <T = never>(code: ErrorCode, detail: string, retryAfterSeconds?: number): Result<T> => ({
  ok: false,
  failure: retryAfterSeconds === undefined ? { code, detail } : { code, detail, retryAfterSeconds },
});
