import { type IntegrationView, presentIntegration } from '../integration-view.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { SecretCipher } from '../ports/secret-cipher.js';

export interface ListIntegrationsDeps {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
}

export function listIntegrations({ repository, cipher, clock }: ListIntegrationsDeps) {
  return async (userId: string): Promise<IntegrationView[]> => {
    const now = clock.now();
    const integrations = await repository.listByUser(userId);
    return Promise.all(integrations.map((integration) => presentIntegration(integration, cipher, now)));
  };
}
