import type { ErrorCode } from '../../domain/errors.js';
import type { Integration } from '../../domain/integration.js';
import { isTokenPlatform, PLATFORM_NAMES } from '../../domain/platform.js';
import {
  decideRefresh,
  failureOutcome,
  nextCheckAt,
  type RefreshSettings,
  type Renewal,
  retryAt,
} from '../../domain/refresh-policy.js';
import { fail, ok, type Result } from '../../domain/result.js';
import { type CredentialCheckDeps, checkStoredCredentials, withStoredSecrets } from '../credential-check.js';
import { errorFields } from '../error-fields.js';
import type { Clock } from '../ports/clock.js';
import type {
  ClaimedIntegration,
  LifecycleChanges,
  LifecycleStore,
  Settlement,
} from '../ports/lifecycle-store.js';
import type { Logger } from '../ports/logger.js';
import { sealToken } from '../sealed-token.js';

export interface LifecycleSettings extends RefreshSettings {
  /** How many integrations one claim takes; they are handled at the same time. */
  readonly batchSize: number;
  /** How long a claim lasts: longer than the slowest handling of one integration can take. */
  readonly leaseMs: number;
}

export interface RefreshDueDeps extends CredentialCheckDeps {
  readonly lifecycle: LifecycleStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lifecycleSettings: LifecycleSettings;
}

export const REFRESH_OUTCOMES = [
  /** A token was renewed and the new one saved. */
  'renewed',
  /** A health check passed. */
  'checked',
  /** Past its expiry with nothing to renew it: recorded as `expired`. */
  'expired',
  /** The platform refused the renewal or check: recorded as `revoked`, `expired` or `error`. */
  'refused',
  /** A transient failure: status kept, retried later with backoff. */
  'retrying',
  /** Nothing due yet: only the next look was scheduled. */
  'rescheduled',
  /** Not connected: taken off the schedule. */
  'unscheduled',
  /** The claim was lost (lapsed, or the integration was replaced or deleted), so nothing was written. */
  'lease_lost',
  /** An unexpected error; retried later. */
  'failed',
] as const;

export type RefreshOutcome = (typeof REFRESH_OUTCOMES)[number];

export type RefreshReport = Readonly<Record<RefreshOutcome, number>>;

interface Step {
  readonly outcome: RefreshOutcome;
  readonly settlement: Settlement;
  /** Why the renewal or check did not succeed, for the log. */
  readonly code?: ErrorCode;
}

const SETTLE_TRIES = 3;

// An empty or blank token is no token: it must never replace a stored one.
const present = (text: string | null): text is string => text !== null && text.trim() !== '';

async function renew(
  integration: Integration,
  renewal: Renewal,
  deps: RefreshDueDeps,
  now: Date,
): Promise<Result<LifecycleChanges>> {
  const { platform } = integration;
  const sealed = integration[renewal.secret];
  if (!isTokenPlatform(platform) || sealed === null) {
    throw new Error(`The refresh policy chose a renewal that ${platform} cannot do`);
  }
  const issued = await deps.gateways[platform].refresh(await deps.cipher.open(sealed));
  if (!issued.ok) return issued;
  const { accessToken, refreshToken, expiresAt, scopesGranted, metadata } = issued.value;
  if (!present(accessToken)) {
    return fail(
      'platform_unavailable',
      `${PLATFORM_NAMES[platform]} renewed the token but sent no new one. Nothing was changed; try again later.`,
    );
  }
  const [access, refresh] = await Promise.all([
    sealToken(deps.cipher, accessToken),
    present(refreshToken) ? sealToken(deps.cipher, refreshToken) : null,
  ]);
  return ok({
    accessToken: access.sealed,
    accessTokenMask: access.mask,
    // An answer without a refresh token keeps the stored one: an empty value never replaces it.
    ...(refresh === null ? {} : { refreshToken: refresh.sealed, refreshTokenMask: refresh.mask }),
    // The old expiry belonged to the old token; a new one the platform did not date is unknown.
    tokenExpiresAt: expiresAt,
    tokenIssuedAt: now,
    lastVerifiedAt: now,
    connectionStatus: 'connected',
    statusDetail: null,
    ...(scopesGranted === null || scopesGranted.length === 0 ? {} : { scopesGranted }),
    metadata: { ...integration.metadata, ...metadata },
  });
}

async function checkHealth(
  integration: Integration,
  deps: RefreshDueDeps,
  now: Date,
): Promise<Result<LifecycleChanges>> {
  const passed = await checkStoredCredentials(integration, deps);
  if (!passed.ok) return passed;
  const { expiresAt } = passed.value;
  return ok({
    connectionStatus: 'connected',
    statusDetail: null,
    lastVerifiedAt: now,
    ...(expiresAt === 'unknown' ? {} : { tokenExpiresAt: expiresAt === 'never' ? null : expiresAt }),
  });
}

/** The step for what a renewal or check answered. */
function stepFor(
  outcome: 'renewed' | 'checked',
  result: Result<LifecycleChanges>,
  claim: ClaimedIntegration,
  deps: RefreshDueDeps,
  now: Date,
): Step {
  if (result.ok) {
    const changed = { ...claim.integration, ...result.value };
    return {
      outcome,
      settlement: {
        changes: result.value,
        nextCheckAt: nextCheckAt(changed, now, deps.lifecycleSettings),
        attempts: 0,
      },
    };
  }
  const { code, detail } = result.failure;
  const failure = failureOutcome(code);
  if (failure.retry) {
    const attempts = claim.attempts + 1;
    return {
      outcome: 'retrying',
      code,
      settlement: { changes: {}, nextCheckAt: retryAt(attempts, now), attempts },
    };
  }
  return {
    outcome: 'refused',
    code,
    settlement: {
      changes: { connectionStatus: failure.status, statusDetail: detail },
      nextCheckAt: null,
      attempts: 0,
    },
  };
}

async function decide(claim: ClaimedIntegration, deps: RefreshDueDeps, now: Date): Promise<Step> {
  const { integration } = claim;
  const decision = decideRefresh(integration, now, deps.lifecycleSettings);
  switch (decision.action) {
    case 'none':
      return { outcome: 'unscheduled', settlement: { changes: {}, nextCheckAt: null, attempts: 0 } };
    case 'wait':
      return {
        outcome: 'rescheduled',
        settlement: {
          changes: {},
          nextCheckAt: nextCheckAt(integration, now, deps.lifecycleSettings),
          attempts: 0,
        },
      };
    case 'expire':
      return {
        outcome: 'expired',
        settlement: {
          changes: {
            connectionStatus: 'expired',
            statusDetail: `Your ${PLATFORM_NAMES[integration.platform]} access expired before it could be renewed. Reconnect your account.`,
          },
          nextCheckAt: null,
          attempts: 0,
        },
      };
    case 'renew':
      return stepFor(
        'renewed',
        await withStoredSecrets(() => renew(integration, decision.renewal, deps, now)),
        claim,
        deps,
        now,
      );
    case 'check':
      return stepFor('checked', await checkHealth(integration, deps, now), claim, deps, now);
  }
}

/** Writes a settlement, trying again briefly if the database hiccups: a renewed token must not be lost. */
async function write(claim: ClaimedIntegration, settlement: Settlement, deps: RefreshDueDeps) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.lifecycle.settle(claim.integration.id, claim.lease, settlement);
    } catch (error) {
      if (attempt >= SETTLE_TRIES) throw error;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
    }
  }
}

function logStep(step: Step, integration: Integration, deps: RefreshDueDeps) {
  const fields = {
    integration_id: integration.id,
    platform: integration.platform,
    outcome: step.outcome,
    error_code: step.code,
    next_check_at: step.settlement.nextCheckAt?.toISOString() ?? null,
  };
  switch (step.outcome) {
    case 'refused':
    case 'retrying':
      deps.logger.warn('integration refresh did not succeed', {
        ...fields,
        attempts: step.settlement.attempts,
        status: step.settlement.changes.connectionStatus,
      });
      return;
    case 'renewed':
    case 'expired':
      deps.logger.info('integration refreshed', fields);
      return;
    default:
      deps.logger.debug('integration refreshed', fields);
  }
}

async function maintain(claim: ClaimedIntegration, deps: RefreshDueDeps): Promise<RefreshOutcome> {
  const now = deps.clock.now();
  const { integration } = claim;
  let step: Step;
  try {
    step = await decide(claim, deps, now);
  } catch (error) {
    deps.logger.error('integration refresh failed unexpectedly', {
      integration_id: integration.id,
      platform: integration.platform,
      ...errorFields(error),
    });
    const attempts = claim.attempts + 1;
    step = { outcome: 'failed', settlement: { changes: {}, nextCheckAt: retryAt(attempts, now), attempts } };
  }
  let saved: boolean;
  try {
    saved = await write(claim, step.settlement, deps);
  } catch (error) {
    deps.logger.error('integration refresh could not be saved', {
      integration_id: integration.id,
      platform: integration.platform,
      outcome: step.outcome,
      ...errorFields(error),
    });
    return 'failed';
  }
  if (!saved) {
    deps.logger.warn('integration refresh not saved: the claim on it was lost', {
      integration_id: integration.id,
      platform: integration.platform,
      outcome: step.outcome,
    });
    return 'lease_lost';
  }
  logStep(step, integration, deps);
  return step.outcome;
}

export interface RefreshPassOptions {
  /** Ends the pass once the batch in hand is saved (the process is shutting down). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * One pass of the refresh job and health checker, for the server's timer, the one-shot command and
 * (later) a Workers `scheduled` handler alike. It claims due integrations in batches until none is due
 * and, per integration, does what the refresh policy decides: renew the token (re-sealed and saved,
 * TikTok's new refresh token replacing the old one in the same statement), check it with its platform,
 * record it as expired, or just schedule the next look. A transient failure keeps the status and backs
 * off; a refusal records `revoked`, `expired` or `error` with the platform's reason. Any number of
 * passes may run at once, in any number of processes: each integration is handled by one of them.
 */
export function refreshDueIntegrations(deps: RefreshDueDeps) {
  return async ({ signal }: RefreshPassOptions = {}): Promise<RefreshReport> => {
    const report = Object.fromEntries(REFRESH_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
      RefreshOutcome,
      number
    >;
    const { batchSize, leaseMs } = deps.lifecycleSettings;
    while (signal?.aborted !== true) {
      const claimed = await deps.lifecycle.claimDue(deps.clock.now(), batchSize, leaseMs);
      if (claimed.length === 0) break;
      const outcomes = await Promise.all(claimed.map((claim) => maintain(claim, deps)));
      for (const outcome of outcomes) report[outcome] += 1;
    }
    return report;
  };
}
