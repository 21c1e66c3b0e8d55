import type { ErrorCode } from '../../domain/errors.js';
import type { Integration } from '../../domain/integration.js';
import type { Platform } from '../../domain/platform.js';
import type { IntegrationAnnouncements } from '../integration-announcements.js';
import type { RevocationOutcome } from '../ports/audit-log.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import { InvalidToken, type SecretCipher } from '../ports/secret-cipher.js';
import { tokenConnectorOf } from '../token-connector.js';

export interface DeleteIntegrationDeps {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly gateways: PlatformGateways;
  readonly announcements: IntegrationAnnouncements;
}

/** What deleting did beyond the row: the revoke at the platform, and why it failed when it did. */
export interface Deletion {
  readonly revocation: RevocationOutcome;
  readonly failureCode: ErrorCode | null;
}

/** Meta's two platforms: one Facebook Login can back both. */
const OTHER_META: Partial<Record<Platform, Platform>> = { instagram: 'facebook', facebook: 'instagram' };

/**
 * Deletes the row first (so only the request that removed it revokes, with the token it held), then
 * revokes that token at the platform. A revoke is bounded by the gateway's timeout; its failure is
 * reported, never thrown: the integration is gone either way. Deleting is idempotent: an absent
 * integration is already deleted (null: nothing was removed, nothing revoked).
 */
export function deleteIntegration(deps: DeleteIntegrationDeps) {
  return async (userId: string, platform: Platform): Promise<Deletion | null> => {
    const removed = await deps.repository.remove(userId, platform, deps.announcements.delete);
    return removed === null ? null : revoke(removed, deps);
  };
}

async function revoke(removed: Integration, deps: DeleteIntegrationDeps): Promise<Deletion> {
  const { platform } = removed;
  if (platform === 'email' || removed.accessToken === null) return outcome('not_offered');
  // A Meta user token's revoke ends the person's whole grant, which the user's other Meta integration
  // (its Page token came from the same login) still relies on.
  // Instagram Login's token comes from a sign-in of its own, shared with nothing.
  const connector = tokenConnectorOf(removed);
  const other = connector === 'instagram_login' ? undefined : OTHER_META[platform];
  if (other !== undefined && removed.pageId === null && (await deps.repository.find(removed.userId, other))) {
    return outcome('kept_shared');
  }
  let accessToken: string;
  try {
    accessToken = await deps.cipher.open(removed.accessToken);
  } catch (error) {
    if (error instanceof InvalidToken) return outcome('failed', 'credentials_unreadable');
    throw error;
  }
  const revoked = await deps.gateways[connector].revoke({ accessToken, pageId: removed.pageId });
  return revoked.ok ? outcome(revoked.value) : outcome('failed', revoked.failure.code);
}

const outcome = (revocation: RevocationOutcome, failureCode: ErrorCode | null = null): Deletion => ({
  revocation,
  failureCode,
});
