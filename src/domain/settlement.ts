import { isInconclusive } from './inconclusive-failures.js';
import { type Integration, statusAfterRefusal } from './integration.js';
import { PLATFORM_NAMES } from './platform.js';
import {
  type LifecycleState,
  nextCheckAt,
  type RefreshDecision,
  type RefreshSettings,
  retryAt,
} from './refresh-policy.js';
import type { Failure } from './result.js';

/** The fields a refresh or health check may change. */
export type LifecycleChanges = Partial<
  Pick<
    Integration,
    | 'connectionStatus'
    | 'statusDetail'
    | 'accessToken'
    | 'refreshToken'
    | 'accessTokenMask'
    | 'refreshTokenMask'
    | 'tokenExpiresAt'
    | 'tokenIssuedAt'
    | 'lastVerifiedAt'
    | 'scopesGranted'
    | 'metadata'
    | 'expiryWarnedFor'
  >
>;

/** What the refresh job writes back when it is done with a claimed integration. */
export interface Settlement {
  readonly changes: LifecycleChanges;
  /** When to look at it again; null for never (until it is connected again). */
  readonly nextCheckAt: Date | null;
  /** Transient failures in a row, the one just settled included. */
  readonly attempts: number;
}

/**
 * A decision that needs no call to the platform: off the schedule, the next look, a recorded expiry, or
 * a recorded warning that the token expires soon.
 */
export function settleWithoutCall(
  decision: Extract<RefreshDecision, { action: 'none' | 'wait' | 'expire' | 'warn' }>,
  state: LifecycleState,
  now: Date,
  settings: RefreshSettings,
): Settlement {
  switch (decision.action) {
    case 'none':
      return { changes: {}, nextCheckAt: null, attempts: 0 };
    case 'wait':
      return { changes: {}, nextCheckAt: nextCheckAt(state, now, settings), attempts: 0 };
    case 'expire':
      return {
        changes: {
          connectionStatus: 'expired',
          statusDetail: `Your ${PLATFORM_NAMES[state.platform]} access expired before it could be renewed. Reconnect your account.`,
        },
        nextCheckAt: null,
        attempts: 0,
      };
    case 'warn': {
      const changes = { expiryWarnedFor: state.tokenExpiresAt };
      return { changes, nextCheckAt: nextCheckAt({ ...state, ...changes }, now, settings), attempts: 0 };
    }
  }
}

/** A renewal or check that passed: its changes, and the next look at the integration they leave. */
export function settleSuccess(
  state: LifecycleState,
  changes: LifecycleChanges,
  now: Date,
  settings: RefreshSettings,
): Settlement {
  return { changes, nextCheckAt: nextCheckAt({ ...state, ...changes }, now, settings), attempts: 0 };
}

/** Another go later, backing off with the failures in a row; the status is kept. */
export function settleRetry(previousAttempts: number, now: Date): Settlement {
  const attempts = previousAttempts + 1;
  return { changes: {}, nextCheckAt: retryAt(attempts, now), attempts };
}

/**
 * A renewal or check that failed: retried later with the status kept when the failure says nothing about
 * the credentials, otherwise recorded as the status the refusal leaves, with its reason, and taken off
 * the schedule until the user reconnects or validates.
 */
export function settleFailure(
  failure: Failure,
  previousAttempts: number,
  now: Date,
): { readonly retrying: boolean; readonly settlement: Settlement } {
  if (isInconclusive(failure.code)) return { retrying: true, settlement: settleRetry(previousAttempts, now) };
  return {
    retrying: false,
    settlement: {
      changes: { connectionStatus: statusAfterRefusal(failure.code), statusDetail: failure.detail },
      nextCheckAt: null,
      attempts: 0,
    },
  };
}
