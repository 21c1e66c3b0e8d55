import type { ErrorCode } from './errors.js';

// They say nothing about the credentials: the platform timed out, failed or limited requests; this
// service lacks the platform app's settings; the mail server (SMTP or IMAP) could not be reached, or its
// name resolved, at the moment; this runtime cannot speak SMTP at all (a Node process sharing the database
// can); or no configured key opens the stored secret, which is the deployment's ENCRYPTION_KEY at fault
// (fixing it heals the row), not the account.
const INCONCLUSIVE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'platform_unavailable',
  'platform_not_configured',
  'email_unsupported_on_runtime',
  'smtp_timeout',
  'smtp_connection_refused',
  'smtp_connection_failed',
  'smtp_host_not_allowed',
  'imap_timeout',
  'imap_connection_failed',
  'imap_host_not_allowed',
  'credentials_unreadable',
]);

/**
 * Whether a failed check or renewal says nothing about the account's credentials, so that it must not
 * change the integration's recorded status: validation reports it and changes nothing, the refresh job
 * tries again later.
 */
export function isInconclusive(code: ErrorCode): boolean {
  return INCONCLUSIVE.has(code);
}
