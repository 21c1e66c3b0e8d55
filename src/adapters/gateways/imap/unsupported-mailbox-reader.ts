import type { MailboxReader } from '../../../application/ports/mailbox-reader.js';
import { fail, type Result } from '../../../domain/result.js';

/**
 * The mailbox reader of runtimes without IMAP (Workers, Deno: no TLS client that checks certificates as
 * Node's does, no host name resolution): every login answers `email_unsupported_on_runtime` (501).
 */
export class UnsupportedMailboxReader implements MailboxReader {
  readonly unsupportedReason: string;

  constructor(runtime: string) {
    this.unsupportedReason = `Email replies (IMAP) cannot be read on ${runtime}. Connect and read mailboxes through the Node service (npm start), which shares this database.`;
  }

  async verify(): Promise<Result<never>> {
    return fail('email_unsupported_on_runtime', this.unsupportedReason);
  }

  async read(): Promise<Result<never>> {
    return fail('email_unsupported_on_runtime', this.unsupportedReason);
  }
}
