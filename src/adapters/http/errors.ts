import type { OpenAPIHonoOptions, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { Capability } from '../../domain/capability-policy.js';
import type { ErrorCode } from '../../domain/errors.js';
import { PLATFORMS } from '../../domain/platform.js';
import type { Failure, Result } from '../../domain/result.js';
import type { AppEnv } from './app-env.js';
import type { ErrorResponse } from './schemas.js';

/** The one place that knows which HTTP status each error code means. */
export const STATUS_BY_CODE = {
  invalid_request: 400,
  unknown_platform: 404,
  integration_not_found: 404,
  not_found: 404,
  credentials_rejected: 400,
  token_expired: 400,
  token_revoked: 400,
  authorization_code_rejected: 400,
  credentials_unreadable: 409,
  platform_not_configured: 400,
  platform_unavailable: 502,
  oauth_not_supported: 400,
  redirect_uri_not_allowed: 400,
  invalid_state: 400,
  state_platform_mismatch: 400,
  smtp_auth_failed: 400,
  smtp_auth_not_offered: 400,
  smtp_connection_refused: 400,
  smtp_host_not_allowed: 400,
  smtp_port_not_allowed: 400,
  smtp_tls_failed: 400,
  smtp_tls_required: 400,
  smtp_timeout: 400,
  smtp_connection_failed: 400,
  email_unsupported_on_runtime: 501,
  imap_auth_failed: 400,
  imap_tls_failed: 400,
  imap_connection_failed: 400,
  imap_timeout: 400,
  imap_host_not_allowed: 400,
  imap_port_not_allowed: 400,
  idempotency_key_in_use: 409,
  idempotency_key_reused: 422,
  recipient_suppressed: 422,
  outside_messaging_window: 422,
  recipient_unavailable: 422,
  recipient_rejected: 422,
  daily_limit_reached: 429,
  platform_rate_limited: 429,
  // Only ever a message's error_code, never an answer's.
  attempt_abandoned: 500,
  not_connected: 409,
  validation_failed: 409,
  platform_unsupported: 409,
  missing_scope: 409,
  page_not_linked: 409,
  not_business_account: 409,
  dm_not_supported: 409,
  unsupported_on_runtime: 409,
  unauthenticated: 401,
  forbidden: 403,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  service_unavailable: 503,
  internal_error: 500,
} as const satisfies Record<ErrorCode, ContentfulStatusCode>;

export type ErrorStatus = (typeof STATUS_BY_CODE)[ErrorCode];

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export function errorResponse<Code extends ErrorCode>(
  c: Context<AppEnv>,
  failure: Failure & { readonly code: Code },
  errors?: readonly FieldError[],
) {
  c.set('errorCode', failure.code);
  if (failure.retryAfterSeconds !== undefined) c.header('Retry-After', String(failure.retryAfterSeconds));
  const body: z.infer<typeof ErrorResponse> = {
    detail: failure.detail,
    code: failure.code,
    ...(errors ? { errors: [...errors] } : {}),
  };
  return c.json(body, STATUS_BY_CODE[failure.code]);
}

/**
 * 409 with the capability's own reason code and reason: what the capability policy refuses is a conflict
 * with the account's state, whatever status the same code has elsewhere (an expired token is 400 on save).
 */
export function capabilityDenied(c: Context<AppEnv>, capability: Capability) {
  const code = capability.reasonCode ?? 'not_connected';
  c.set('errorCode', code);
  const body: z.infer<typeof ErrorResponse> = { detail: capability.reason ?? '', code };
  return c.json(body, 409);
}

/** Carries an expected failure from a route handler to `onError`, which renders it. */
export class FailureResponse extends Error {
  constructor(readonly failure: Failure) {
    super(failure.detail);
    this.name = 'FailureResponse';
  }
}

/** The success value, or a `FailureResponse` for the app's error handler. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new FailureResponse(result.failure);
  return result.value;
}

export function fieldErrors(error: ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.join('.') || '(body)',
    message: issue.message,
  }));
}

/** A sentence naming every field at fault, for clients that show only `detail`. */
export function invalidRequestDetail(errors: readonly FieldError[]): string {
  return `Invalid request: ${errors.map((error) => `${error.path}: ${error.message}`).join('; ')}.`;
}

/** Shared by every route: a bad path platform is an unknown resource, anything else a bad request. */
export const validationHook: NonNullable<OpenAPIHonoOptions<AppEnv>['defaultHook']> = (result, c) => {
  if (result.success) return;
  if (result.target === 'param') {
    return errorResponse(c, {
      code: 'unknown_platform',
      detail: `Unknown platform. Use one of: ${PLATFORMS.join(', ')}.`,
    });
  }
  const errors = fieldErrors(result.error);
  return errorResponse(c, { code: 'invalid_request', detail: invalidRequestDetail(errors) }, errors);
};

/** 503 with Retry-After: the database does not answer (readiness, and any request that needed it). */
export const databaseUnavailable = (c: Context<AppEnv>) => {
  c.header('Retry-After', '5');
  return errorResponse(c, {
    code: 'service_unavailable',
    detail: 'The database is not answering. Try again shortly.',
  });
};
