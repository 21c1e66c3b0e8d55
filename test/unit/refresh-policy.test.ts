import { describe, expect, it } from 'vitest';
import type { EncryptedSecret, IntegrationDraft } from '../../src/domain/integration.js';
import { type Connector, connectorOf } from '../../src/domain/login.js';
import {
  decideRefresh,
  MIN_RECHECK_MS,
  nextCheckAt,
  REFRESH_RULES,
  type RefreshDecision,
  retryAt,
} from '../../src/domain/refresh-policy.js';
import { emailDraft, instagramDraft } from '../support/integration-builders.js';

const now = new Date('2026-11-23T12:00:00.000Z');
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
// No warning before expiry unless a test asks for one.
const settings = { healthCheckIntervalMs: DAY, expiryWarningMs: 0 };
const sealed = (label: string) => `gAAAAA-test-${label}` as EncryptedSecret;

/** A Meta long-lived user token (no Page): renewed by exchanging it. */
const meta = (platform: 'instagram' | 'facebook', overrides: Partial<IntegrationDraft> = {}) =>
  instagramDraft({
    platform,
    pageId: null,
    tokenIssuedAt: at(-1 * DAY),
    tokenExpiresAt: at(59 * DAY),
    lastVerifiedAt: at(-1 * HOUR),
    ...overrides,
  });

/** A TikTok integration with its refresh token: renewed by the refresh grant. */
const tiktok = (overrides: Partial<IntegrationDraft> = {}) =>
  instagramDraft({
    platform: 'tiktok',
    pageId: null,
    refreshToken: sealed('refresh'),
    tokenIssuedAt: at(-10 * MINUTE),
    tokenExpiresAt: at(110 * MINUTE),
    lastVerifiedAt: at(-10 * MINUTE),
    ...overrides,
  });

const email = (overrides: Partial<IntegrationDraft> = {}) =>
  emailDraft({ lastVerifiedAt: at(-1 * HOUR), ...overrides });

const metaRenewal = REFRESH_RULES.instagram.renewal;
const tiktokRenewal = REFRESH_RULES.tiktok.renewal;

type Case = readonly [string, Connector, IntegrationDraft, RefreshDecision];

const metaCases = (platform: 'instagram' | 'facebook'): Case[] => [
  [
    'due: a quarter of its 60-day lifetime left',
    platform,
    meta(platform, { tokenIssuedAt: at(-46 * DAY), tokenExpiresAt: at(14 * DAY) }),
    { action: 'renew', renewal: metaRenewal, reason: 'expiring' },
  ],
  [
    'not due: waits for the daily check (earlier than the renewal 44 days out)',
    platform,
    meta(platform),
    { action: 'wait', until: at(23 * HOUR) },
  ],
  [
    'unknown expiry (a Page token): health-checked once its last check is a day old',
    platform,
    meta(platform, { pageId: '100000000000001', tokenExpiresAt: null, lastVerifiedAt: at(-25 * HOUR) }),
    { action: 'check' },
  ],
  [
    'already expired: Meta cannot exchange an expired token',
    platform,
    meta(platform, { tokenExpiresAt: at(-1 * MINUTE) }),
    { action: 'expire' },
  ],
];

/** Instagram Login: `ig_refresh_token` renews the token itself, once it is a day old and until it expires. */
const igLogin = (overrides: Partial<IntegrationDraft> = {}) =>
  meta('instagram', { loginType: 'instagram', ...overrides });
const igRenewal = REFRESH_RULES.instagram_login.renewal;

const instagramLoginCases: Case[] = [
  [
    'due: a quarter of its 60-day lifetime left',
    'instagram_login',
    igLogin({ tokenIssuedAt: at(-46 * DAY), tokenExpiresAt: at(14 * DAY) }),
    { action: 'renew', renewal: igRenewal, reason: 'expiring' },
  ],
  [
    'not due: under a day old, its lifetime unknown until renewed then',
    'instagram_login',
    igLogin({ tokenIssuedAt: at(-2 * HOUR), tokenExpiresAt: null }),
    { action: 'wait', until: at(22 * HOUR) },
  ],
  [
    'unknown expiry and a day old: renewed, which states the expiry',
    'instagram_login',
    igLogin({ tokenIssuedAt: at(-25 * HOUR), tokenExpiresAt: null }),
    { action: 'renew', renewal: igRenewal, reason: 'expiring' },
  ],
  [
    'already expired: never refreshed',
    'instagram_login',
    igLogin({ tokenExpiresAt: at(-1 * MINUTE) }),
    { action: 'expire' },
  ],
];

const cases: Case[] = [
  ...instagramLoginCases,
  ...metaCases('instagram'),
  ...metaCases('facebook'),
  [
    'due: 20 minutes left of a 2-hour access token',
    'tiktok',
    tiktok({ tokenIssuedAt: at(-100 * MINUTE), tokenExpiresAt: at(20 * MINUTE) }),
    { action: 'renew', renewal: tiktokRenewal, reason: 'expiring' },
  ],
  [
    'not due: renewal when 30 minutes of the 2 hours are left',
    'tiktok',
    tiktok(),
    { action: 'wait', until: at(80 * MINUTE) },
  ],
  [
    'unknown expiry: renewed (it proves the grant and tells the expiry) once the last check is stale',
    'tiktok',
    tiktok({ tokenIssuedAt: null, tokenExpiresAt: null, lastVerifiedAt: at(-25 * HOUR) }),
    { action: 'renew', renewal: tiktokRenewal, reason: 'stale' },
  ],
  [
    'already expired: the refresh token outlives the access token',
    'tiktok',
    tiktok({ tokenExpiresAt: at(-1 * HOUR) }),
    { action: 'renew', renewal: tiktokRenewal, reason: 'expired' },
  ],
  [
    'due: the SMTP login was last checked over a day ago',
    'email',
    email({ lastVerifiedAt: at(-25 * HOUR) }),
    { action: 'check' },
  ],
  ['not due: checked an hour ago', 'email', email(), { action: 'wait', until: at(23 * HOUR) }],
  [
    'unknown expiry (SMTP never has one) and never checked',
    'email',
    email({ lastVerifiedAt: null }),
    { action: 'check' },
  ],
  [
    'already expired: nothing renews a password',
    'email',
    email({ tokenExpiresAt: at(-1 * MINUTE) }),
    { action: 'expire' },
  ],
];

describe('decideRefresh: every platform, due / not due / unknown expiry / already expired', () => {
  it.each(cases)('%s (%s)', (_name, platform, draft, decision) => {
    expect(connectorOf(draft)).toBe(platform);
    expect(decideRefresh(draft, now, settings)).toEqual(decision);
  });

  it('covers every platform with all four cases', () => {
    const platforms = cases.map(([, platform]) => platform);
    expect(
      Object.fromEntries(Object.keys(REFRESH_RULES).map((p) => [p, platforms.filter((x) => x === p).length])),
    ).toEqual({
      instagram: 4,
      instagram_login: 4,
      facebook: 4,
      tiktok: 4,
      email: 4,
    });
  });
});

describe('decideRefresh: edges', () => {
  it.each(['expired', 'revoked', 'unsupported', 'error'] as const)(
    'leaves a %s integration alone',
    (connectionStatus) => {
      expect(
        decideRefresh(tiktok({ connectionStatus, tokenExpiresAt: at(-1 * HOUR) }), now, settings),
      ).toEqual({
        action: 'none',
      });
    },
  );

  it('treats TikTok without a refresh token like a token nobody can renew', () => {
    const noRefresh = (overrides: Partial<IntegrationDraft>) => tiktok({ refreshToken: null, ...overrides });

    expect(decideRefresh(noRefresh({ tokenExpiresAt: at(-1 * MINUTE) }), now, settings)).toEqual({
      action: 'expire',
    });
    expect(decideRefresh(noRefresh({ tokenExpiresAt: at(5 * MINUTE) }), now, settings)).toEqual({
      action: 'wait',
      until: at(5 * MINUTE),
    });
    expect(
      decideRefresh(noRefresh({ tokenExpiresAt: null, lastVerifiedAt: at(-25 * HOUR) }), now, settings),
    ).toEqual({ action: 'check' });
  });

  it('renews at once a token whose issue time is unknown (a row from before), to learn its lifetime', () => {
    expect(decideRefresh(meta('facebook', { tokenIssuedAt: null }), now, settings)).toEqual({
      action: 'renew',
      renewal: metaRenewal,
      reason: 'expiring',
    });
  });

  it('health-checks a Meta token that is not due for renewal once its last check is stale', () => {
    expect(decideRefresh(meta('instagram', { lastVerifiedAt: at(-2 * DAY) }), now, settings)).toEqual({
      action: 'check',
    });
  });

  it('takes the lifetime from what the platform said, not from a fixed figure', () => {
    // A 24-hour TikTok token (the older documented lifetime) is renewed with 6 hours left, not 30 minutes.
    const day = tiktok({ tokenIssuedAt: at(-17 * HOUR), tokenExpiresAt: at(7 * HOUR) });
    expect(decideRefresh(day, now, settings)).toEqual({ action: 'wait', until: at(1 * HOUR) });
    expect(decideRefresh(day, at(1 * HOUR), settings)).toMatchObject({ action: 'renew', reason: 'expiring' });
  });
});

describe('decideRefresh: the warning before an expiry nothing will renew', () => {
  const warning = { ...settings, expiryWarningMs: 72 * HOUR };
  const noRefresh = (overrides: Partial<IntegrationDraft> = {}) =>
    tiktok({ refreshToken: null, lastVerifiedAt: at(-1 * HOUR), ...overrides });

  it('warns once EXPIRY_WARNING_HOURS are left, and waits for that moment before', () => {
    expect(decideRefresh(noRefresh({ tokenExpiresAt: at(71 * HOUR) }), now, warning)).toEqual({
      action: 'warn',
    });
    expect(decideRefresh(noRefresh({ tokenExpiresAt: at(80 * HOUR) }), now, warning)).toEqual({
      action: 'wait',
      until: at(8 * HOUR),
    });
  });

  it('warns once per token: the expiry warned about is not warned about again, a new one is', () => {
    const warned = noRefresh({ tokenExpiresAt: at(71 * HOUR) });
    expect(decideRefresh({ ...warned, expiryWarnedFor: at(71 * HOUR) }, now, warning)).toEqual({
      action: 'wait',
      until: at(23 * HOUR),
    });
    expect(decideRefresh({ ...warned, expiryWarnedFor: at(-DAY) }, now, warning)).toEqual({
      action: 'warn',
    });
  });

  it('does not warn about a token that will be renewed before it expires', () => {
    const meta60 = meta('instagram', { tokenIssuedAt: at(-58 * DAY), tokenExpiresAt: at(2 * DAY) });
    expect(decideRefresh(meta60, now, warning)).toMatchObject({ action: 'renew' });
    expect(decideRefresh(tiktok({ tokenExpiresAt: at(HOUR) }), now, warning)).toMatchObject({
      action: 'wait',
    });
    expect(decideRefresh(email(), now, warning)).toMatchObject({ action: 'wait' });
  });

  it('warns about a token too young to be renewed before it expires (Instagram Login’s day)', () => {
    const young = instagramDraft({
      loginType: 'instagram',
      pageId: null,
      tokenIssuedAt: at(-1 * HOUR),
      tokenExpiresAt: at(12 * HOUR),
      lastVerifiedAt: at(-1 * HOUR),
    });
    expect(decideRefresh(young, now, warning)).toEqual({ action: 'warn' });
  });
});

describe('nextCheckAt', () => {
  it('is when the decision stops being to wait', () => {
    expect(nextCheckAt(tiktok(), now, settings)).toEqual(at(80 * MINUTE));
  });

  it('is never for an integration that is not connected', () => {
    expect(nextCheckAt(email({ connectionStatus: 'revoked' }), now, settings)).toBeNull();
  });

  it('is at least a minute away, even when the platform answered without extending the token', () => {
    const notExtended = meta('instagram', { tokenIssuedAt: now, tokenExpiresAt: at(30 * 1000) });
    expect(nextCheckAt(notExtended, now, settings)).toEqual(at(MIN_RECHECK_MS));
    expect(nextCheckAt(tiktok({ tokenIssuedAt: now, tokenExpiresAt: at(MINUTE) }), now, settings)).toEqual(
      at(MIN_RECHECK_MS),
    );
  });
});

describe('retryAt', () => {
  it('backs off 1, 2, 4 … minutes, at most an hour', () => {
    expect(
      [1, 2, 3, 4, 6, 7, 20].map((attempts) => (retryAt(attempts, now).getTime() - now.getTime()) / MINUTE),
    ).toEqual([1, 2, 4, 8, 32, 60, 60]);
  });
});
