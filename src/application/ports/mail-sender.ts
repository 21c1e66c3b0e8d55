import type { Result } from '../../domain/result.js';
import type { SmtpLogin } from './mail-verifier.js';

export interface OutgoingMail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string | null;
  readonly replyTo: string | null;
  /** With angle brackets, at the sender's domain. */
  readonly messageId: string;
  /** The one-click unsubscribe URL (RFC 8058), or null when the service has no public address. */
  readonly unsubscribeUrl: string | null;
}

/**
 * Sends mail through the user's own SMTP server, over the same checked connection as validation.
 * Failures: `recipient_rejected` (a 5xx refusal of the recipient), `smtp_auth_failed` (the login was
 * refused), `platform_unavailable` (could not connect, timed out, a temporary or unexpected refusal).
 */
export interface MailSender {
  send(login: SmtpLogin, mail: OutgoingMail): Promise<Result<void>>;
  /** Why this runtime cannot send mail at all; absent where it can. */
  readonly unsupportedReason?: string;
}
