import { describe, expect, it } from 'vitest';
import { cardState, connectedOutcome, integrationDetails } from '../../public/card-state.js';
import { capabilityJson, integrationJson } from '../../src/adapters/http/presenters.js';
import { decideCapability } from '../../src/domain/capability-policy.js';
import type { IntegrationDraft } from '../../src/domain/integration.js';
import type { Platform } from '../../src/domain/platform.js';
import { emailDraft, instagramDraft, storedIntegration } from '../support/integration-builders.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');

/** What `/capabilities` answers for this integration (or none), through the real policy and presenter. */
const capability = (platform: Platform, draft: IntegrationDraft | null) =>
  capabilityJson(decideCapability(platform, draft === null ? null : storedIntegration(draft), NOW));

const shown = (state: ReturnType<typeof cardState>) =>
  Object.entries(state.actions)
    .filter(([, on]) => on)
    .map(([action]) => action);

describe('cardState', () => {
  it.each([
    [
      'instagram, none',
      capability('instagram', null),
      'Not connected',
      ['connect', 'connect-instagram'],
      'none',
    ],
    [
      'instagram, connected',
      capability('instagram', instagramDraft()),
      'Connected',
      ['validate', 'disconnect'],
      'none',
    ],
    [
      'instagram, missing scope',
      capability('instagram', instagramDraft({ scopesGranted: ['instagram_basic', 'pages_show_list'] })),
      'Connected',
      ['reconnect', 'validate', 'disconnect'],
      'none',
    ],
    [
      'instagram, no Page',
      capability('instagram', instagramDraft({ pageId: null })),
      'Connected',
      ['reconnect', 'validate', 'disconnect'],
      'none',
    ],
    [
      'facebook, token past its expiry',
      capability(
        'facebook',
        instagramDraft({ platform: 'facebook', tokenExpiresAt: new Date('2026-05-01') }),
      ),
      'Expired',
      ['reconnect', 'validate', 'disconnect'],
      'none',
    ],
    [
      'facebook, revoked',
      capability('facebook', instagramDraft({ platform: 'facebook', connectionStatus: 'revoked' })),
      'Access revoked',
      ['reconnect', 'validate', 'disconnect'],
      'none',
    ],
    [
      'tiktok, connected (no DM API, nothing to fix)',
      capability('tiktok', instagramDraft({ platform: 'tiktok', scopesGranted: ['user.info.basic'] })),
      'Connected',
      ['validate', 'disconnect'],
      'none',
    ],
    [
      'tiktok, expired',
      capability('tiktok', instagramDraft({ platform: 'tiktok', tokenExpiresAt: new Date('2026-05-01') })),
      'Expired',
      ['reconnect', 'validate', 'disconnect'],
      'none',
    ],
    ['email, none', capability('email', null), 'Not connected', [], 'open'],
    [
      'email, connected',
      capability('email', emailDraft()),
      'Connected',
      ['validate', 'disconnect'],
      'folded',
    ],
    [
      'email, last check failed',
      capability(
        'email',
        emailDraft({ connectionStatus: 'error', statusDetail: 'SMTP authentication failed' }),
      ),
      'Check failed',
      ['validate', 'disconnect'],
      'open',
    ],
  ])('%s: %s, offers %j, SMTP form %s', (_case, answer, status, actions, emailForm) => {
    const state = cardState(answer);
    expect(state.status.label).toBe(status);
    expect(shown(state)).toEqual(actions);
    expect(state.emailForm).toBe(emailForm);
  });

  it('shows the capability’s reason only while Send DM is unavailable, and its limitations always', () => {
    const missing = cardState(
      capability('instagram', instagramDraft({ scopesGranted: ['instagram_basic'] })),
    );
    expect(missing.reason).toBe(
      "Missing 'instagram_manage_messages' scope. Reconnect with proper permissions.",
    );
    expect(missing.capabilities).toEqual({
      can_send_dm: false,
      can_discover: true,
      can_read_messages: false,
    });
    const connected = cardState(capability('instagram', instagramDraft()));
    expect(connected.reason).toBeNull();
    expect(connected.capabilities).toEqual({
      can_send_dm: true,
      can_discover: true,
      can_read_messages: true,
    });
    expect(connected.limitations).toEqual([
      'Meta allows messages only as replies within 24 hours of the person’s last message to you.',
    ]);
  });
});

describe('integrationDetails', () => {
  const json = (draft: IntegrationDraft) =>
    integrationJson({
      ...storedIntegration(draft),
      accessToken: '****abcd',
      refreshToken: null,
      smtpPassword: null,
    });
  const time = (iso: string) => `at ${iso}`;

  it('describes a Meta integration by its account’s user name, Page name, permissions, expiry and last check', () => {
    expect(
      integrationDetails(
        json(instagramDraft({ metadata: { page_name: 'Acme Studio', username: 'acme.studio' } })),
        time,
      ),
    ).toEqual([
      ['Account', '@acme.studio'],
      ['Page', 'Acme Studio'],
      ['Connected with', 'Facebook Login'],
      ['Permissions', 'instagram_basic, instagram_manage_messages, pages_show_list'],
      ['Expires', 'at 2030-01-01T00:00:00.000Z'],
      ['Last verified', 'at 2026-01-02T03:04:05.000Z'],
    ]);
  });

  it('shows numeric ids only where no name is known', () => {
    const facebook = instagramDraft({ platform: 'facebook', metadata: { page_name: 'Acme Studio' } });
    expect(integrationDetails(json(facebook), time).slice(0, 2)).toEqual([
      ['Page', 'Acme Studio'],
      ['Permissions', 'instagram_basic, instagram_manage_messages, pages_show_list'],
    ]);
    expect(integrationDetails(json(instagramDraft({ metadata: {} })), time).slice(0, 2)).toEqual([
      ['Account', '17841400000000001'],
      ['Page', '100000000000001'],
    ]);
  });

  it('names a TikTok account by its display name and says when nothing expires or was checked', () => {
    const tiktok = instagramDraft({
      platform: 'tiktok',
      pageId: null,
      scopesGranted: [],
      tokenExpiresAt: null,
      lastVerifiedAt: null,
      metadata: { display_name: 'Fake Creator' },
    });
    expect(integrationDetails(json(tiktok), time)).toEqual([
      ['Account', 'Fake Creator'],
      ['Permissions', 'None'],
      ['Expires', 'Never'],
      ['Last verified', 'Never'],
    ]);
  });

  it('describes an email integration by its address, server and username, never its password', () => {
    expect(integrationDetails(json(emailDraft()), time)).toEqual([
      ['Address', 'me@example.com'],
      ['Server', 'smtp.example.com:587'],
      ['Username', 'me@example.com'],
      ['Last verified', 'at 2026-01-02T03:04:05.000Z'],
    ]);
  });
});

describe('connectedOutcome', () => {
  it('is a success when the account can send', () => {
    expect(connectedOutcome('Instagram', capability('instagram', instagramDraft()))).toEqual({
      tone: 'success',
      heading: 'Instagram connected',
      text: 'Instagram is connected to your account. It can send messages.',
    });
  });

  it('is a warning, with the reason, when a new sign-in could let it send', () => {
    const missing = capability('instagram', instagramDraft({ scopesGranted: ['instagram_basic'] }));
    expect(connectedOutcome('Instagram', missing)).toEqual({
      tone: 'warning',
      heading: 'Instagram connected, but not ready to send',
      text: "Instagram is connected to your account. It cannot send messages: Missing 'instagram_manage_messages' scope. Reconnect with proper permissions.",
    });
  });

  it('is a success for TikTok, which never sends, so nothing is left to fix', () => {
    const tiktok = capability('tiktok', instagramDraft({ platform: 'tiktok', pageId: null }));
    expect(connectedOutcome('TikTok', tiktok)).toMatchObject({
      tone: 'success',
      text: 'TikTok is connected to your account. It cannot send messages: TikTok does not provide an official Direct Message API.',
    });
  });
});
