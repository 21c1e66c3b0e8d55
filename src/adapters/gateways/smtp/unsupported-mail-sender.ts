import type { MailSender } from '../../../application/ports/mail-sender.js';
import { fail, type Result } from '../../../domain/result.js';

/**
 * The mail sender of runtimes without SMTP (Workers, Deno; see UnsupportedMailVerifier): every send
 * answers `email_unsupported_on_runtime` (501), naming the Node service as the place for email.
 */
export class UnsupportedMailSender implements MailSender {
  readonly unsupportedReason: string;

  constructor(runtime: string) {
    this.unsupportedReason = `Email (SMTP) cannot be sent on ${runtime}. Send email through the Node service (npm start), which shares this database.`;
  }

  async send(): Promise<Result<void>> {
    return fail('email_unsupported_on_runtime', this.unsupportedReason);
  }
}
