import type {
  DirectMessage,
  DirectMessageGateway,
  DirectMessageGateways,
} from '../../src/application/ports/direct-message-gateway.js';
import type { MailSender, OutgoingMail } from '../../src/application/ports/mail-sender.js';
import type { MailVerifier, SmtpLogin } from '../../src/application/ports/mail-verifier.js';
import type {
  ImapLogin,
  MailboxPosition,
  MailboxRead,
  MailboxReader,
} from '../../src/application/ports/mailbox-reader.js';
import type {
  AuthorizationRequest,
  IssuedToken,
  MessageConnection,
  MessageSubscription,
  PlatformGateway,
  PlatformGateways,
  Revocation,
  TokenCredentials,
  ValidatedToken,
} from '../../src/application/ports/platform-gateway.js';
import { fail, ok, type Result } from '../../src/domain/result.js';

/** Answers with `next` (success unless a test sets a failure) and remembers every login it was given. */
export class ScriptedMailVerifier implements MailVerifier {
  readonly logins: SmtpLogin[] = [];
  next: Result<void> = ok(undefined);

  async verify(login: SmtpLogin): Promise<Result<void>> {
    this.logins.push(login);
    return this.next;
  }

  /** Runs `work` while every check answers with the SMTP server refusing the login, then succeeds again. */
  async refusingLogins<T>(work: () => T | Promise<T>): Promise<T> {
    this.next = fail('smtp_auth_failed', 'SMTP authentication failed - check username and password');
    try {
      return await work();
    } finally {
      this.next = ok(undefined);
    }
  }
}

/** Accepts every IMAP login (unless a test sets `next`) and remembers it; reads nothing. */
export class ScriptedMailboxReader implements MailboxReader {
  readonly logins: ImapLogin[] = [];
  next: Result<MailboxPosition> = ok({ uidValidity: 1, lastUid: 0 });

  async verify(login: ImapLogin): Promise<Result<MailboxPosition>> {
    this.logins.push(login);
    return this.next;
  }

  async read(login: ImapLogin, from: MailboxPosition): Promise<Result<MailboxRead>> {
    this.logins.push(login);
    return ok({ kind: 'read', position: from });
  }
}

/** Answers every platform with `next` (success unless a test sets a failure) and remembers each check. */
export class ScriptedGateway implements PlatformGateway {
  readonly validations: TokenCredentials[] = [];
  next: Result<Omit<ValidatedToken, 'accessToken'>> = ok({
    scopesGranted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
    expiresAt: new Date('2030-01-01T00:00:00.000Z'),
    accountId: '17841400000000001',
    pageId: '100000000000001',
    metadata: { username: 'acme.studio' },
  });

  authorizationUrl(request: AuthorizationRequest): Result<string> {
    return ok(`https://consent.example/authorize?state=${request.state}`);
  }

  async exchangeCode(): Promise<Result<IssuedToken>> {
    return fail('authorization_code_rejected', 'Scripted gateways exchange no codes.');
  }

  async validate(credentials: TokenCredentials): Promise<Result<ValidatedToken>> {
    this.validations.push(credentials);
    return this.next.ok ? ok({ accessToken: credentials.accessToken, ...this.next.value }) : this.next;
  }

  /** Secrets renewed so far; `nextRefresh` decides the answer (a refusal unless a test sets one). */
  readonly refreshes: string[] = [];
  nextRefresh: Result<IssuedToken> = fail('token_revoked', 'Scripted gateways renew nothing.');

  async refresh(secret: string): Promise<Result<IssuedToken>> {
    this.refreshes.push(secret);
    return this.nextRefresh;
  }

  /** Tokens revoked so far; `nextRevoke` decides the answer. */
  readonly revocations: TokenCredentials[] = [];
  nextRevoke: Result<Revocation> = ok('revoked');

  async revoke(credentials: TokenCredentials): Promise<Result<Revocation>> {
    this.revocations.push(credentials);
    return this.nextRevoke;
  }

  /** Connections asked to deliver their messages so far; `nextSubscription` decides the answer. */
  readonly subscriptions: MessageConnection[] = [];
  nextSubscription: MessageSubscription = { outcome: 'not_offered' };

  async subscribeToMessages(connection: MessageConnection): Promise<MessageSubscription> {
    this.subscriptions.push(connection);
    return this.nextSubscription;
  }

  /** The same scripted gateway for every token platform. */
  asGateways(): PlatformGateways {
    return { instagram: this, facebook: this, tiktok: this, instagram_login: this };
  }
}

/** Accepts every message (unless a test sets `next`) and counts what it was asked to send. */
export class ScriptedMessenger implements DirectMessageGateway {
  readonly sent: DirectMessage[] = [];
  next: Result<{ readonly messageId: string }> | null = null;

  async send(message: DirectMessage): Promise<Result<{ readonly messageId: string }>> {
    this.sent.push(message);
    return this.next ?? ok({ messageId: `m_scripted_${this.sent.length}` });
  }

  asGateways(): DirectMessageGateways {
    return { instagram: this, facebook: this, instagram_login: this };
  }
}

/** Accepts every mail (unless a test sets `next`) and keeps what it was asked to send. */
export class ScriptedMailSender implements MailSender {
  readonly sent: { readonly login: SmtpLogin; readonly mail: OutgoingMail }[] = [];
  next: Result<void> = ok(undefined);

  async send(login: SmtpLogin, mail: OutgoingMail): Promise<Result<void>> {
    this.sent.push({ login, mail });
    return this.next;
  }
}
