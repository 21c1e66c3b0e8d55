import type { MailVerifier, SmtpLogin } from '../../../application/ports/mail-verifier.js';
import { ok, type Result } from '../../../domain/result.js';
import { CheckedSmtpConnector, release, type SmtpConnectionOptions } from './checked-smtp-session.js';

/** Options for {@link NodemailerMailVerifier}. */
export type NodemailerMailVerifierOptions = SmtpConnectionOptions;

/** Checks an SMTP login by opening a checked session (see {@link CheckedSmtpConnector}), then QUIT. */
export class NodemailerMailVerifier implements MailVerifier {
  private readonly connector: CheckedSmtpConnector;

  constructor(options: NodemailerMailVerifierOptions) {
    this.connector = new CheckedSmtpConnector(options);
  }

  async verify(login: SmtpLogin): Promise<Result<void>> {
    const session = await this.connector.open(login);
    if (!session.ok) return session;
    release(session.value, false);
    return ok(undefined);
  }
}
