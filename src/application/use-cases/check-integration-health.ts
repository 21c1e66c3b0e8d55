import type { Integration } from '../../domain/integration.js';
import { ok, type Result } from '../../domain/result.js';
import type { LifecycleChanges } from '../../domain/settlement.js';
import { type CredentialCheckDeps, checkStoredCredentials } from '../credential-check.js';

/**
 * Checks an integration's stored credentials with its platform (or SMTP server) for the refresh job and
 * returns what a pass changes: `connected`, verified now, and the token's expiry when the platform said
 * it. A failure comes back as the check sorted it, for the settlement rules to weigh.
 */
export function checkIntegrationHealth(deps: CredentialCheckDeps) {
  return async (integration: Integration, now: Date): Promise<Result<LifecycleChanges>> => {
    const passed = await checkStoredCredentials(integration, deps);
    if (!passed.ok) return passed;
    const { expiresAt } = passed.value;
    return ok({
      connectionStatus: 'connected',
      statusDetail: null,
      lastVerifiedAt: now,
      ...(expiresAt === 'unknown' ? {} : { tokenExpiresAt: expiresAt === 'never' ? null : expiresAt }),
    });
  };
}

export type CheckIntegrationHealth = ReturnType<typeof checkIntegrationHealth>;
