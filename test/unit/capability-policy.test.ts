import { describe, expect, it } from 'vitest';
import { decideCapability } from '../../src/domain/capability-policy.js';
import type { IntegrationDraft } from '../../src/domain/integration.js';
import type { Platform } from '../../src/domain/platform.js';
import { emailDraft, instagramDraft, storedIntegration } from '../support/integration-builders.js';

const now = new Date('2026-11-23T12:00:00.000Z');
const later = new Date('2027-01-01T00:00:00.000Z');
const earlier = new Date('2026-11-01T00:00:00.000Z');

const instagram = (overrides: Partial<IntegrationDraft> = {}) => storedIntegration(instagramDraft(overrides));
const facebook = (overrides: Partial<IntegrationDraft> = {}) =>
  instagram({
    platform: 'facebook',
    scopesGranted: ['pages_messaging', 'pages_show_list'],
    accountId: null,
    ...overrides,
  });
const tiktok = (overrides: Partial<IntegrationDraft> = {}) =>
  instagram({ platform: 'tiktok', scopesGranted: ['user.info.basic'], pageId: null, ...overrides });
const EMAIL_WITHOUT_IMAP =
  'Replies are not read: connect the email integration again with imap_host (and imap_port, imap_username, imap_password) to read them over IMAP.';
const email = (overrides: Partial<IntegrationDraft> = {}) => storedIntegration(emailDraft(overrides));

const META_LIMITATION =
  'Meta allows messages only as replies within 24 hours of the person’s last message to you.';

describe('decideCapability', () => {
  it.each([
    ['instagram', 'Instagram'],
    ['facebook', 'Facebook'],
    ['email', 'Email'],
  ] as const)('%s without an integration cannot send, with a reason to connect', (platform, name) => {
    expect(decideCapability(platform, null, now)).toMatchObject({
      isConnected: false,
      connectionStatus: null,
      canSendDm: false,
      canDiscover: true,
      canReadMessages: false,
      reasonCode: 'not_connected',
      reason: `No ${name} account is connected. Connect one to send messages.`,
      missingScopes: [],
    });
  });

  const cases: Array<[string, Platform, ReturnType<typeof instagram>, Record<string, unknown>]> = [
    [
      'instagram with the messaging scope, a Page and a professional account',
      'instagram',
      instagram({ tokenExpiresAt: later }),
      {
        isConnected: true,
        canSendDm: true,
        canReadMessages: true,
        reason: null,
        reasonCode: null,
        missingScopes: [],
      },
    ],
    [
      'instagram without instagram_manage_messages',
      'instagram',
      instagram({ scopesGranted: ['instagram_basic', 'pages_show_list'] }),
      {
        isConnected: true,
        canSendDm: false,
        canReadMessages: false,
        reasonCode: 'missing_scope',
        reason: "Missing 'instagram_manage_messages' scope. Reconnect with proper permissions.",
        missingScopes: ['instagram_manage_messages'],
      },
    ],
    [
      'instagram without a linked Page',
      'instagram',
      instagram({ pageId: null }),
      {
        canSendDm: false,
        canReadMessages: true,
        reasonCode: 'page_not_linked',
        reason:
          'No Facebook Page is linked to this Instagram account. Link a Page and reconnect, or connect with Instagram Login, which needs no Page.',
      },
    ],
    [
      'instagram through Instagram Login: no Page needed',
      'instagram',
      instagram({
        loginType: 'instagram',
        pageId: null,
        scopesGranted: ['instagram_business_basic', 'instagram_business_manage_messages'],
      }),
      { canSendDm: true, canReadMessages: true, reasonCode: null, reason: null, missingScopes: [] },
    ],
    [
      'instagram through Instagram Login without the messaging permission',
      'instagram',
      instagram({ loginType: 'instagram', pageId: null, scopesGranted: ['instagram_business_basic'] }),
      {
        canSendDm: false,
        canReadMessages: false,
        reasonCode: 'missing_scope',
        missingScopes: ['instagram_business_manage_messages'],
      },
    ],
    [
      'instagram on a personal account (no Business/Creator account found)',
      'instagram',
      instagram({ accountId: null }),
      {
        canSendDm: false,
        reasonCode: 'not_business_account',
        reason:
          'Messaging needs an Instagram Business or Creator account linked to your Page. Switch to a professional account and reconnect, or connect with Instagram Login, which needs no Page.',
      },
    ],
    [
      'instagram whose token expired by time, though stored as connected',
      'instagram',
      instagram({ tokenExpiresAt: earlier }),
      {
        isConnected: false,
        connectionStatus: 'expired',
        canSendDm: false,
        canReadMessages: false,
        reasonCode: 'token_expired',
        reason: 'Your Instagram access has expired. Reconnect your account.',
      },
    ],
    [
      'instagram revoked',
      'instagram',
      instagram({ connectionStatus: 'revoked' }),
      {
        connectionStatus: 'revoked',
        canSendDm: false,
        reasonCode: 'token_revoked',
        reason: 'Your Instagram access was revoked. Reconnect your account.',
      },
    ],
    [
      'instagram marked unsupported',
      'instagram',
      instagram({ connectionStatus: 'unsupported' }),
      {
        connectionStatus: 'unsupported',
        canSendDm: false,
        reasonCode: 'platform_unsupported',
        reason: 'This Instagram account cannot be used for messaging.',
      },
    ],
    [
      'facebook with pages_messaging and a Page (no Instagram account needed)',
      'facebook',
      facebook(),
      { isConnected: true, canSendDm: true, canReadMessages: true, reason: null, missingScopes: [] },
    ],
    [
      'facebook without pages_messaging',
      'facebook',
      facebook({ scopesGranted: ['pages_show_list'] }),
      {
        canSendDm: false,
        canReadMessages: false,
        reasonCode: 'missing_scope',
        reason: "Missing 'pages_messaging' scope. Reconnect with proper permissions.",
        missingScopes: ['pages_messaging'],
      },
    ],
    [
      'facebook without a Page',
      'facebook',
      facebook({ pageId: null }),
      {
        canSendDm: false,
        reasonCode: 'page_not_linked',
        reason: 'No Facebook Page is linked to this Facebook account. Link a Page and reconnect.',
      },
    ],
    [
      'tiktok connected: still no DM API',
      'tiktok',
      tiktok(),
      {
        isConnected: true,
        connectionStatus: 'connected',
        canSendDm: false,
        canReadMessages: false,
        reasonCode: 'dm_not_supported',
        reason: 'TikTok does not provide an official Direct Message API.',
      },
    ],
    [
      'email with a validated SMTP login',
      'email',
      email(),
      {
        isConnected: true,
        canSendDm: true,
        canReadMessages: false,
        reason: null,
        reasonCode: null,
        missingScopes: [],
      },
    ],
    [
      'email with a validated SMTP and IMAP login',
      'email',
      email({ imap: { host: 'imap.example.com', port: 993, username: 'me@example.com' } }),
      { isConnected: true, canSendDm: true, canReadMessages: true, reasonCode: null, limitations: [] },
    ],
    [
      'email with IMAP whose last validation failed',
      'email',
      email({
        imap: { host: 'imap.example.com', port: 993, username: 'me@example.com' },
        connectionStatus: 'error',
        statusDetail: 'IMAP authentication failed - check the IMAP username and password.',
      }),
      { isConnected: false, canSendDm: false, canReadMessages: false, reasonCode: 'validation_failed' },
    ],
    [
      'email whose last validation failed',
      'email',
      email({
        connectionStatus: 'error',
        statusDetail: 'SMTP authentication failed - check username and password',
      }),
      {
        isConnected: false,
        connectionStatus: 'error',
        canSendDm: false,
        reasonCode: 'validation_failed',
        reason:
          'The last check of your Email connection failed: SMTP authentication failed - check username and password.',
      },
    ],
  ];

  it.each(cases)('%s', (_name, platform, integration, expected) => {
    expect(decideCapability(platform, integration, now)).toMatchObject({
      platform,
      canDiscover: true,
      ...expected,
    });
  });

  it('says why TikTok cannot send even when nothing is connected', () => {
    expect(decideCapability('tiktok', null, now)).toMatchObject({
      isConnected: false,
      canSendDm: false,
      reasonCode: 'dm_not_supported',
      reason: 'TikTok does not provide an official Direct Message API.',
    });
  });

  it('treats a token expiring exactly now as expired, and one a millisecond later as connected', () => {
    expect(decideCapability('instagram', instagram({ tokenExpiresAt: now }), now).connectionStatus).toBe(
      'expired',
    );
    expect(
      decideCapability('instagram', instagram({ tokenExpiresAt: new Date(now.getTime() + 1) }), now)
        .connectionStatus,
    ).toBe('connected');
  });

  it('says a failed check happened even when no detail was recorded', () => {
    expect(
      decideCapability('email', email({ connectionStatus: 'error', statusDetail: null }), now).reason,
    ).toBe('The last check of your Email connection failed. Validate it again or reconnect.');
  });

  it.each([
    [
      'revoked',
      'token_revoked',
      'Your Instagram access was revoked: the Facebook password was changed. Reconnect your account.',
    ],
    [
      'expired',
      'token_expired',
      'Your Instagram access expired before it could be renewed. Reconnect your account.',
    ],
  ] as const)(
    'shows the recorded reason of a %s integration',
    (connectionStatus, reasonCode, statusDetail) => {
      expect(decideCapability('instagram', instagram({ connectionStatus, statusDetail }), now)).toMatchObject(
        {
          canSendDm: false,
          reasonCode,
          reason: statusDetail,
        },
      );
    },
  );

  it('treats a token with no known expiry as not expired', () => {
    expect(decideCapability('instagram', instagram({ tokenExpiresAt: null }), now).isConnected).toBe(true);
  });

  it.each([
    ['instagram', [META_LIMITATION]],
    ['facebook', [META_LIMITATION]],
    ['tiktok', []],
    ['email', [EMAIL_WITHOUT_IMAP]],
  ] as const)('lists the limitations of %s whether or not it is connected', (platform, limitations) => {
    expect(decideCapability(platform, null, now).limitations).toEqual(limitations);
  });

  it('reports a platform this runtime cannot use with its reason, whatever is stored', () => {
    const reason = 'Email (SMTP) integrations cannot be checked on Deno. Use the Node service.';
    const imap = { host: 'imap.example.com', port: 993, username: 'me@example.com' };
    expect(decideCapability('email', email({ imap }), now, reason)).toMatchObject({
      canReadMessages: false,
      reasonCode: 'unsupported_on_runtime',
    });
    expect(decideCapability('email', email(), now, reason)).toMatchObject({
      isConnected: true,
      connectionStatus: 'connected',
      canSendDm: false,
      reasonCode: 'unsupported_on_runtime',
      reason,
    });
    expect(decideCapability('email', null, now, reason)).toMatchObject({
      canSendDm: false,
      reasonCode: 'unsupported_on_runtime',
    });
  });
});
