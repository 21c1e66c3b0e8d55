import { type Capability, decideCapability } from '../../domain/capability-policy.js';
import { PLATFORMS, type Platform } from '../../domain/platform.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailVerifier } from '../ports/mail-verifier.js';

export interface GetCapabilitiesDeps {
  readonly repository: IntegrationRepository;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
}

const unsupportedHere = (platform: Platform, mailVerifier: MailVerifier) =>
  platform === 'email' ? (mailVerifier.unsupportedReason ?? null) : null;

/** Capabilities for every platform, in the fixed platform order, connected or not. */
export function getAllCapabilities({ repository, clock, mailVerifier }: GetCapabilitiesDeps) {
  return async (userId: string): Promise<Capability[]> => {
    const integrations = await repository.listCapabilityFacts(userId);
    const now = clock.now();
    return PLATFORMS.map((platform) =>
      decideCapability(
        platform,
        integrations.find((row) => row.platform === platform) ?? null,
        now,
        unsupportedHere(platform, mailVerifier),
      ),
    );
  };
}

export function getPlatformCapability({ repository, clock, mailVerifier }: GetCapabilitiesDeps) {
  return async (userId: string, platform: Platform): Promise<Capability> =>
    decideCapability(
      platform,
      await repository.find(userId, platform),
      clock.now(),
      unsupportedHere(platform, mailVerifier),
    );
}
