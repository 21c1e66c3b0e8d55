import type { MailVerifier } from '../../../application/ports/mail-verifier.js';
import { fail, type Result } from '../../../domain/result.js';

/**
 * The mail verifier of runtimes that cannot check an SMTP login honestly: workerd's `node:tls` cannot
 * validate a server certificate the way the Node verifier does, and it resolves no host names. Every
 * check answers `email_unsupported_on_runtime` (501), naming the Node service as the place for email.
 */
export class UnsupportedMailVerifier implements MailVerifier {
  readonly unsupportedReason: string;

  constructor(runtime: string) {
    this.unsupportedReason = `Email (SMTP) integrations cannot be checked on ${runtime}. Connect and validate them through the Node service (npm start), which shares this database.`;
  }

  async verify(): Promise<Result<void>> {
    return fail('email_unsupported_on_runtime', this.unsupportedReason);
  }
}
