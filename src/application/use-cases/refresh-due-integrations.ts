import type { ErrorCode } from '../../domain/errors.js';
import type { Integration } from '../../domain/integration.js';
import { decideRefresh, type RefreshSettings } from '../../domain/refresh-policy.js';
import type { Result } from '../../domain/result.js';
import {
  type LifecycleChanges,
  type Settlement,
  settleFailure,
  settleRetry,
  settleSuccess,
  settleWithoutCall,
} from '../../domain/settlement.js';
import { errorFields } from '../error-fields.js';
import type { IntegrationAnnouncements } from '../integration-announcements.js';
import type { Clock } from '../ports/clock.js';
import type { ClaimedIntegration, LifecycleStore } from '../ports/lifecycle-store.js';
import type { Logger } from '../ports/logger.js';
import type { CheckIntegrationHealth } from './check-integration-health.js';
import type { RenewToken } from './renew-token.js';

export interface LifecycleSettings extends RefreshSettings {
  /** How many integrations one claim takes; they are handled at the same time. */
  readonly batchSize: number;
  /** How long a claim lasts: longer than the slowest handling of one integration can take. */
  readonly leaseMs: number;
}

export interface RefreshDueDeps {
  readonly lifecycle: LifecycleStore;
  readonly announcements: IntegrationAnnouncements;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly lifecycleSettings: LifecycleSettings;
  readonly renewToken: RenewToken;
  readonly checkHealth: CheckIntegrationHealth;
}

export const REFRESH_OUTCOMES = [
  /** A token was renewed and the new one saved. */
  'renewed',
  /** A health check passed. */
  'checked',
  /** Past its expiry with nothing to renew it: recorded as `expired`. */
  'expired',
  /** Expiring within EXPIRY_WARNING_HOURS with nothing to renew it: warned once (`integration.expiring_soon`). */
  'warned',
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

/** The step for what a renewal or check answered. */
function stepFor(
  outcome: 'renewed' | 'checked',
  result: Result<LifecycleChanges>,
  claim: ClaimedIntegration,
  deps: RefreshDueDeps,
  now: Date,
): Step {
  if (result.ok) {
    return {
      outcome,
      settlement: settleSuccess(claim.integration, result.value, now, deps.lifecycleSettings),
    };
  }
  const { retrying, settlement } = settleFailure(result.failure, claim.attempts, now);
  return { outcome: retrying ? 'retrying' : 'refused', code: result.failure.code, settlement };
}

const OUTCOME_WITHOUT_CALL = {
  none: 'unscheduled',
  wait: 'rescheduled',
  expire: 'expired',
  warn: 'warned',
} as const;

async function decide(claim: ClaimedIntegration, deps: RefreshDueDeps, now: Date): Promise<Step> {
  const { integration } = claim;
  const decision = decideRefresh(integration, now, deps.lifecycleSettings);
  switch (decision.action) {
    case 'renew':
      return stepFor('renewed', await deps.renewToken(integration, decision.renewal, now), claim, deps, now);
    case 'check':
      return stepFor('checked', await deps.checkHealth(integration, now), claim, deps, now);
    default:
      return {
        outcome: OUTCOME_WITHOUT_CALL[decision.action],
        settlement: settleWithoutCall(decision, integration, now, deps.lifecycleSettings),
      };
  }
}

/** Writes a settlement, trying again briefly if the database hiccups: a renewed token must not be lost. */
async function write(claim: ClaimedIntegration, settlement: Settlement, deps: RefreshDueDeps) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.lifecycle.settle(
        claim.integration.id,
        claim.lease,
        settlement,
        deps.announcements.check,
      );
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
    case 'warned':
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
    step = { outcome: 'failed', settlement: settleRetry(claim.attempts, now) };
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
 * record it as expired, or just schedule the next look; the domain's settlement rules say what to write.
 * A failure that says nothing about the credentials (an outage, an unreadable secret) keeps the status
 * and backs off; a refusal records `revoked`, `expired` or `error` with the platform's reason. Any number of
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
