import type { MailVerifier, SmtpLogin } from '../../src/application/ports/mail-verifier.js';
import type {
  PlatformTokenValidator,
  TokenCredentials,
  ValidatedToken,
} from '../../src/application/ports/platform-token-validator.js';
import type { TokenPlatform } from '../../src/domain/platform.js';
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

export class ScriptedTokenValidator implements PlatformTokenValidator {
  readonly calls: Array<{ platform: TokenPlatform; credentials: TokenCredentials }> = [];
  next: Result<ValidatedToken> = ok({
    scopesGranted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
    tokenExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
    accountId: '17841400000000001',
    pageId: '100000000000001',
    businessId: '200000000000001',
    metadata: { username: 'acme.studio' },
  });

  async validate(platform: TokenPlatform, credentials: TokenCredentials): Promise<Result<ValidatedToken>> {
    this.calls.push({ platform, credentials });
    return this.next;
  }
}
