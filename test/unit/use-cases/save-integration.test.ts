import { beforeEach, describe, expect, it } from 'vitest';
import type { EmailInput, TokenInput } from '../../../src/application/integration-input.js';
import { saveIntegration } from '../../../src/application/use-cases/save-integration.js';
import type { EncryptedSecret } from '../../../src/domain/integration.js';
import { fail, ok } from '../../../src/domain/result.js';
import { uniqueUserId } from '../../support/integration-builders.js';
import { type UnitPorts, unitPorts } from '../../support/unit-ports.js';

const emailInput = (overrides: Partial<EmailInput> = {}): EmailInput => ({
  platform: 'email',
  emailAddress: 'me@example.com',
  smtpHost: 'smtp.example.com',
  smtpPort: 587,
  smtpUsername: 'me@example.com',
  smtpPassword: 'correct horse battery staple',
  imap: null,
  ...overrides,
});

const instagramInput = (overrides: Partial<TokenInput> = {}): TokenInput => ({
  platform: 'instagram',
  loginType: null,
  accessToken: 'IGQVJ-posted-access-token-5a1e',
  refreshToken: null,
  tokenExpiresAt: null,
  pageId: null,
  businessId: '200000000000001',
  metadata: { campaign: 'spring' },
  ...overrides,
});

describe('saveIntegration', () => {
  let ports: UnitPorts;
  let save: ReturnType<typeof saveIntegration>;
  const userId = uniqueUserId();

  beforeEach(async () => {
    ports = await unitPorts();
    save = saveIntegration(ports);
  });
  const opened = (sealed: EncryptedSecret | null | undefined) =>
    sealed ? ports.cipher.open(sealed) : Promise.resolve(null);

  it('checks the SMTP login first, then stores the password sealed and answers masked', async () => {
    const saved = await save(userId, emailInput());

    expect(ports.mailVerifier.logins).toEqual([
      {
        emailAddress: 'me@example.com',
        host: 'smtp.example.com',
        port: 587,
        username: 'me@example.com',
        password: 'correct horse battery staple',
      },
    ]);
    expect(saved).toMatchObject({
      ok: true,
      value: {
        created: true,
        integration: {
          connectionStatus: 'connected',
          smtpPassword: '********',
          lastVerifiedAt: ports.clock.now(),
        },
      },
    });
    const stored = await ports.repository.find(userId, 'email');
    expect(await opened(stored?.smtpPassword)).toBe('correct horse battery staple');
  });

  it('replaces the integration in place on a second save', async () => {
    const first = await save(userId, emailInput());
    const second = await save(userId, emailInput({ smtpHost: 'mail.example.org' }));

    expect(second.ok && !second.value.created).toBe(true);
    expect(second.ok && first.ok && second.value.integration.id).toBe(first.ok && first.value.integration.id);
    expect((await ports.repository.find(userId, 'email'))?.smtp?.host).toBe('mail.example.org');
  });

  it('writes nothing when the SMTP server refuses the login, keeping what was stored', async () => {
    await save(userId, emailInput());

    const refused = await ports.mailVerifier.refusingLogins(() =>
      save(userId, emailInput({ smtpHost: 'wrong.example.com' })),
    );

    expect(refused).toMatchObject({ ok: false, failure: { code: 'smtp_auth_failed' } });
    expect((await ports.repository.find(userId, 'email'))?.smtp?.host).toBe('smtp.example.com');
  });

  it("takes the account, Page and scopes from the platform's answer, and seals the token", async () => {
    const saved = await save(userId, instagramInput());

    expect(ports.gateway.validations).toEqual([
      { accessToken: 'IGQVJ-posted-access-token-5a1e', pageId: null },
    ]);
    expect(saved).toMatchObject({
      ok: true,
      value: {
        integration: {
          accountId: '17841400000000001',
          pageId: '100000000000001',
          businessId: '200000000000001',
          scopesGranted: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
          tokenExpiresAt: new Date('2030-01-01T00:00:00.000Z'),
          accessToken: '****5a1e',
          metadata: { campaign: 'spring', username: 'acme.studio' },
        },
      },
    });
    const stored = await ports.repository.find(userId, 'instagram');
    expect(await opened(stored?.accessToken)).toBe('IGQVJ-posted-access-token-5a1e');
  });

  it('keeps the stored refresh token when a token for the same account comes without one', async () => {
    await save(userId, instagramInput({ refreshToken: 'refresh-token-kept-across-saves-7d2b' }));

    await save(userId, instagramInput({ accessToken: 'IGQVJ-second-access-token-0c4d' }));

    const stored = await ports.repository.find(userId, 'instagram');
    expect(await opened(stored?.refreshToken)).toBe('refresh-token-kept-across-saves-7d2b');
    expect(stored?.refreshTokenMask).toBe('****7d2b');
  });

  it('drops the stored refresh token when the new token belongs to another account', async () => {
    await save(userId, instagramInput({ refreshToken: 'refresh-token-of-the-first-account' }));
    const { next } = ports.gateway;
    if (next.ok) ports.gateway.next = ok({ ...next.value, accountId: '17841400000000002' });

    await save(userId, instagramInput());

    expect((await ports.repository.find(userId, 'instagram'))?.refreshToken).toBeNull();
  });

  it('uses the posted expiry only when the platform cannot say', async () => {
    const posted = new Date('2026-04-01T00:00:00.000Z');
    const { next } = ports.gateway;
    if (!next.ok) throw new Error('the scripted gateway starts out accepting');

    ports.gateway.next = ok({ ...next.value, expiresAt: 'unknown' });
    await save(userId, instagramInput({ tokenExpiresAt: posted }));
    expect((await ports.repository.find(userId, 'instagram'))?.tokenExpiresAt).toEqual(posted);

    ports.gateway.next = ok({ ...next.value, expiresAt: 'never' });
    await save(userId, instagramInput({ tokenExpiresAt: posted }));
    expect((await ports.repository.find(userId, 'instagram'))?.tokenExpiresAt).toBeNull();
  });

  it('writes nothing when the platform refuses the token', async () => {
    ports.gateway.next = fail('token_revoked', 'The token was revoked.');

    const refused = await save(userId, instagramInput());

    expect(refused).toEqual({
      ok: false,
      failure: { code: 'token_revoked', detail: 'The token was revoked.' },
    });
    expect(await ports.repository.find(userId, 'instagram')).toBeNull();
  });
});
