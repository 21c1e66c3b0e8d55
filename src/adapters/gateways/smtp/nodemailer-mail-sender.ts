import MailComposer from 'nodemailer/lib/mail-composer';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { SMTPError } from 'nodemailer/lib/smtp-connection';
import type { MailSender, OutgoingMail } from '../../../application/ports/mail-sender.js';
import type { SmtpLogin } from '../../../application/ports/mail-verifier.js';
import { fail, ok, type Result } from '../../../domain/result.js';
import { canonicalHost } from '../network-address-policy.js';
import {
  CheckedSmtpConnector,
  release,
  type SmtpConnectionOptions,
  serverName,
  timedOut,
} from './checked-smtp-session.js';

/** Options for {@link NodemailerMailSender}. */
export interface NodemailerMailSenderOptions extends SmtpConnectionOptions {
  /** How long a mailbox's connection stays open without a message; defaults to 30 s. */
  readonly idleMs?: number;
  /** Messages per connection before it is renewed (servers cap them); defaults to 100. */
  readonly messagesPerConnection?: number;
}

/** One mailbox's connection: messages go out over it one after another. */
interface Mailbox {
  readonly password: string;
  connection: SMTPConnection | null;
  sent: number;
  queue: Promise<unknown>;
  idle: ReturnType<typeof setTimeout> | undefined;
}

const mailboxKey = (login: SmtpLogin) => `${login.username}\u0000${login.host}\u0000${login.port}`;

async function compose(mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    ...(mail.html === null ? {} : { html: mail.html }),
    ...(mail.replyTo === null ? {} : { replyTo: mail.replyTo }),
    messageId: mail.messageId,
    date: new Date(),
    // RFC 8058: a mail client may unsubscribe with one POST, without opening the page.
    headers:
      mail.unsubscribeUrl === null
        ? {}
        : {
            'List-Unsubscribe': `<${mail.unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          },
  });
  return composer.compile().build();
}

/**
 * Sends outreach mail over the same checked connection as validation ({@link CheckedSmtpConnector}),
 * keeping one logged-in connection per mailbox while messages keep going out, so many messages pay for
 * one connection, TLS handshake and login. A connection that broke or failed a message is dropped and
 * the next message opens a new one.
 */
export class NodemailerMailSender implements MailSender {
  private readonly connector: CheckedSmtpConnector;
  private readonly mailboxes = new Map<string, Mailbox>();
  private readonly idleMs: number;
  private readonly messagesPerConnection: number;

  constructor(private readonly options: NodemailerMailSenderOptions) {
    this.connector = new CheckedSmtpConnector(options);
    this.idleMs = options.idleMs ?? 30_000;
    this.messagesPerConnection = options.messagesPerConnection ?? 100;
  }

  send(login: SmtpLogin, mail: OutgoingMail): Promise<Result<void>> {
    const mailbox = this.mailboxFor(login);
    const sent = mailbox.queue.then(() => this.deliver(mailbox, login, mail));
    mailbox.queue = sent.catch(() => {});
    return sent;
  }

  /** Closes every open connection (QUIT). */
  close(): void {
    for (const [key, mailbox] of this.mailboxes) {
      this.drop(mailbox, false);
      this.mailboxes.delete(key);
    }
  }

  private mailboxFor(login: SmtpLogin): Mailbox {
    const key = mailboxKey(login);
    const known = this.mailboxes.get(key);
    if (known !== undefined && known.password === login.password) return known;
    // A changed password gets a connection of its own; the old one closes once idle.
    const mailbox: Mailbox = {
      password: login.password,
      connection: null,
      sent: 0,
      queue: known?.queue ?? Promise.resolve(),
      idle: undefined,
    };
    if (known !== undefined) this.drop(known, false);
    this.mailboxes.set(key, mailbox);
    return mailbox;
  }

  private async deliver(mailbox: Mailbox, login: SmtpLogin, mail: OutgoingMail): Promise<Result<void>> {
    clearTimeout(mailbox.idle);
    const server = serverName(canonicalHost(login.host) ?? login.host, login.port);
    let connection = mailbox.connection;
    if (connection === null) {
      const opened = await this.connector.open(login);
      if (!opened.ok) return unsent(opened.failure.code, opened.failure.detail);
      connection = opened.value;
      mailbox.connection = connection;
      mailbox.sent = 0;
      // A connection the server closes while idle is forgotten, so the next message opens another.
      const forget = () => {
        if (mailbox.connection === connection) mailbox.connection = null;
      };
      connection.once('end', forget);
      connection.on('error', forget);
    }
    const result = await this.transmit(connection, mail, server);
    mailbox.sent += 1;
    if (!result.ok || mailbox.sent >= this.messagesPerConnection) this.drop(mailbox, !result.ok);
    else {
      mailbox.idle = setTimeout(() => this.drop(mailbox, false), this.idleMs);
      mailbox.idle.unref?.();
    }
    return result;
  }

  private async transmit(
    connection: SMTPConnection,
    mail: OutgoingMail,
    server: string,
  ): Promise<Result<void>> {
    const raw = await compose(mail);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve, reject) =>
          connection.send({ from: mail.from, to: [mail.to] }, raw, (error) =>
            error ? reject(error) : resolve(),
          ),
        ),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new TimeoutError()), this.options.timeoutMs);
        }),
      ]);
      return ok(undefined);
    } catch (error) {
      if (error instanceof TimeoutError) {
        const timeout = timedOut(server);
        return timeout.ok ? timeout : unsent(timeout.failure.code, timeout.failure.detail);
      }
      return refusal(error, server);
    } finally {
      clearTimeout(timer);
    }
  }

  private drop(mailbox: Mailbox, broken: boolean): void {
    clearTimeout(mailbox.idle);
    const { connection } = mailbox;
    mailbox.connection = null;
    if (connection !== null) release(connection, broken);
  }
}

class TimeoutError extends Error {}

/**
 * A failure before or while sending: a refused login stays `smtp_auth_failed` (the stored credentials no
 * longer work); everything else says nothing about them and is `platform_unavailable`.
 */
function unsent(code: string, detail: string): Result<never> {
  if (code === 'smtp_auth_failed') return fail('smtp_auth_failed', detail);
  return fail('platform_unavailable', `${detail.replace(/\.?$/, '.')} Nothing was sent.`);
}

/** A send the server refused; its own words never reach the detail. */
function refusal(error: unknown, server: string): Result<never> {
  const { code, command, responseCode } = (error ?? {}) as Partial<SMTPError>;
  if (code === 'EENVELOPE' && command === 'RCPT TO' && responseCode !== undefined && responseCode >= 500) {
    return fail(
      'recipient_rejected',
      `The SMTP server at ${server} refused this recipient permanently (${responseCode}); the address is now suppressed as bounced.`,
    );
  }
  return unsent(
    'platform_unavailable',
    responseCode === undefined
      ? `The SMTP session with ${server} broke off while sending`
      : `The SMTP server at ${server} did not accept the message (${responseCode})`,
  );
}
