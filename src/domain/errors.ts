import { REASON_CODES } from './reason-codes.js';

/**
 * Stable error codes. The HTTP adapter owns the one table that maps each to a status;
 * nothing else in the core knows about HTTP.
 */
export const ERROR_CODES = [
  'invalid_request',
  'unknown_platform',
  'integration_not_found',
  'credentials_rejected',
  'authorization_code_rejected',
  'platform_not_configured',
  'platform_unavailable',
  'oauth_not_supported',
  'redirect_uri_not_allowed',
  'invalid_state',
  'state_platform_mismatch',
  'smtp_auth_failed',
  'smtp_auth_not_offered',
  'smtp_connection_refused',
  'smtp_host_not_allowed',
  'smtp_port_not_allowed',
  'smtp_tls_failed',
  'smtp_tls_required',
  'smtp_timeout',
  'smtp_connection_failed',
  'email_unsupported_on_runtime',
  'imap_auth_failed',
  'imap_tls_failed',
  'imap_connection_failed',
  'imap_timeout',
  'imap_host_not_allowed',
  'imap_port_not_allowed',
  'idempotency_key_in_use',
  'idempotency_key_reused',
  'recipient_suppressed',
  'outside_messaging_window',
  'recipient_unavailable',
  'recipient_rejected',
  'daily_limit_reached',
  'platform_rate_limited',
  // Recorded on an attempt whose process died in flight: whether it went out is unknown.
  'attempt_abandoned',
  // A send refused by the capability policy answers with the capability's own reason code.
  ...REASON_CODES,
  'credentials_unreadable',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'unauthenticated',
  'forbidden',
  'rate_limited',
  'service_unavailable',
  'internal_error',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
