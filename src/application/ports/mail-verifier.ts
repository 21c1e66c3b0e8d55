import type { SmtpSettings } from '../../domain/integration.js';
import type { Result } from '../../domain/result.js';

export interface SmtpLogin extends SmtpSettings {
  readonly password: string;
}

/**
 * Proves that an SMTP server accepts a login: it must offer AUTH and accept these credentials.
 * Expected failures (bad password, unreachable host, TLS) come back as a `Failure` with an `smtp_*` code
 * and a sentence safe to show the user; nothing the server said is passed through.
 */
export interface MailVerifier {
  verify(login: SmtpLogin): Promise<Result<void>>;
  /** Why this runtime cannot check SMTP logins at all, for capabilities; absent where it can. */
  readonly unsupportedReason?: string;
}
