import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../src/domain/errors.js';
import { isInconclusive } from '../../src/domain/inconclusive-failures.js';
import { MIN_RECHECK_MS } from '../../src/domain/refresh-policy.js';
import { settleFailure, settleRetry, settleSuccess, settleWithoutCall } from '../../src/domain/settlement.js';
import { emailDraft, instagramDraft } from '../support/integration-builders.js';

const now = new Date('2026-11-23T12:00:00.000Z');
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
// No warning before expiry unless a test asks for one.
const settings = { healthCheckIntervalMs: DAY, expiryWarningMs: 0 };

describe('which failures say nothing about the credentials', () => {
  it.each([
    ['platform_unavailable', true],
    ['platform_not_configured', true],
    ['email_unsupported_on_runtime', true],
    ['smtp_timeout', true],
    ['smtp_connection_refused', true],
    ['smtp_connection_failed', true],
    ['smtp_host_not_allowed', true],
    // An IMAP server down for a moment must not stop the mailbox from sending.
    ['imap_timeout', true],
    ['imap_connection_failed', true],
    ['imap_host_not_allowed', true],
    // The configured key's fault, not the account's: fixing ENCRYPTION_KEY must heal the row.
    ['credentials_unreadable', true],
    ['token_revoked', false],
    ['token_expired', false],
    ['credentials_rejected', false],
    ['smtp_auth_failed', false],
    ['smtp_tls_failed', false],
    ['imap_auth_failed', false],
    ['imap_tls_failed', false],
    ['imap_port_not_allowed', false],
  ] as [ErrorCode, boolean][])('%s → %s', (code, inconclusive) => {
    expect(isInconclusive(code)).toBe(inconclusive);
  });
});

describe('settleFailure', () => {
  it('retries an inconclusive failure with the status kept, backing off with the failures in a row', () => {
    expect(settleFailure({ code: 'smtp_timeout', detail: 'The server did not answer.' }, 2, now)).toEqual({
      retrying: true,
      settlement: { changes: {}, nextCheckAt: at(4 * MINUTE), attempts: 3 },
    });
    expect(settleFailure({ code: 'credentials_unreadable', detail: 'Unreadable.' }, 0, now)).toEqual({
      retrying: true,
      settlement: { changes: {}, nextCheckAt: at(MINUTE), attempts: 1 },
    });
  });

  it.each([
    ['token_revoked', 'revoked'],
    ['token_expired', 'expired'],
    ['credentials_rejected', 'error'],
    ['smtp_auth_failed', 'error'],
  ] as [ErrorCode, string][])('records %s as %s, with its reason, off the schedule', (code, status) => {
    expect(settleFailure({ code, detail: 'The platform said no.' }, 4, now)).toEqual({
      retrying: false,
      settlement: {
        changes: { connectionStatus: status, statusDetail: 'The platform said no.' },
        nextCheckAt: null,
        attempts: 0,
      },
    });
  });
});

describe('settleWithoutCall, settleSuccess and settleRetry', () => {
  const connected = instagramDraft({
    platform: 'instagram',
    pageId: null,
    tokenIssuedAt: at(-DAY),
    tokenExpiresAt: at(59 * DAY),
    lastVerifiedAt: at(-60 * MINUTE),
  });

  it('takes a disconnected integration off the schedule', () => {
    const revoked = emailDraft({ connectionStatus: 'revoked' });
    expect(settleWithoutCall({ action: 'none' }, revoked, now, settings)).toEqual({
      changes: {},
      nextCheckAt: null,
      attempts: 0,
    });
  });

  it('schedules the next look when nothing is due', () => {
    expect(settleWithoutCall({ action: 'wait', until: at(DAY) }, connected, now, settings)).toEqual({
      changes: {},
      nextCheckAt: at(23 * 60 * MINUTE),
      attempts: 0,
    });
  });

  it('records an expiry nothing can renew, in words the user can act on', () => {
    expect(settleWithoutCall({ action: 'expire' }, connected, now, settings)).toEqual({
      changes: {
        connectionStatus: 'expired',
        statusDetail: 'Your Instagram access expired before it could be renewed. Reconnect your account.',
      },
      nextCheckAt: null,
      attempts: 0,
    });
  });

  it('records the warned expiry, and schedules the next look as if warned', () => {
    const unrenewable = instagramDraft({
      platform: 'tiktok',
      pageId: null,
      refreshToken: null,
      tokenIssuedAt: at(-DAY),
      tokenExpiresAt: at(DAY),
      lastVerifiedAt: at(-60 * MINUTE),
    });
    const warning = { ...settings, expiryWarningMs: 2 * DAY };
    expect(settleWithoutCall({ action: 'warn' }, unrenewable, now, warning)).toEqual({
      changes: { expiryWarnedFor: at(DAY) },
      nextCheckAt: at(DAY - 60 * MINUTE),
      attempts: 0,
    });
  });

  it('schedules a passed check from the state its changes leave, and clears the failures in a row', () => {
    const changes = { lastVerifiedAt: now, connectionStatus: 'connected' as const };
    expect(settleSuccess(connected, changes, now, settings)).toEqual({
      changes,
      nextCheckAt: at(DAY),
      attempts: 0,
    });
    const notExtended = { tokenIssuedAt: now, tokenExpiresAt: at(30 * 1000), lastVerifiedAt: now };
    expect(settleSuccess(connected, notExtended, now, settings).nextCheckAt).toEqual(at(MIN_RECHECK_MS));
  });

  it('retries an unexpected error after the backoff', () => {
    expect(settleRetry(0, now)).toEqual({ changes: {}, nextCheckAt: at(MINUTE), attempts: 1 });
  });
});
