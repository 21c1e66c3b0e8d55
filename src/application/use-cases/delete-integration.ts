import type { Platform } from '../../domain/platform.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';

/** Deleting is idempotent: an absent integration is already deleted. */
export function deleteIntegration({ repository }: { readonly repository: IntegrationRepository }) {
  return async (userId: string, platform: Platform): Promise<void> => {
    await repository.remove(userId, platform);
  };
}
