import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailVerifier } from '../ports/mail-verifier.js';
import type { PlatformTokenValidator } from '../ports/platform-token-validator.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import { deleteIntegration } from './delete-integration.js';
import { getAllCapabilities, getPlatformCapability } from './get-capabilities.js';
import { listAuditEntries } from './list-audit-entries.js';
import { listIntegrations } from './list-integrations.js';
import { saveIntegration } from './save-integration.js';
import { validateIntegration } from './validate-integration.js';

export interface CorePorts {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly tokenValidator: PlatformTokenValidator;
  readonly auditLog: AuditLog;
}

/** Every use case, bound to its ports. */
export function createUseCases(ports: CorePorts) {
  return {
    listIntegrations: listIntegrations(ports),
    getAllCapabilities: getAllCapabilities(ports),
    getPlatformCapability: getPlatformCapability(ports),
    saveIntegration: saveIntegration(ports),
    validateIntegration: validateIntegration(ports),
    deleteIntegration: deleteIntegration(ports),
    listAuditEntries: listAuditEntries(ports),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
