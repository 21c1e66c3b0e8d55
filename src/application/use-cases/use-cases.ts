import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailVerifier } from '../ports/mail-verifier.js';
import type { OAuthStateStore } from '../ports/oauth-state-store.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import { completeOAuth } from './complete-oauth.js';
import { deleteIntegration } from './delete-integration.js';
import { getAllCapabilities, getPlatformCapability } from './get-capabilities.js';
import { listAuditEntries } from './list-audit-entries.js';
import { listIntegrations } from './list-integrations.js';
import { saveIntegration } from './save-integration.js';
import { startOAuth } from './start-oauth.js';
import { validateIntegration } from './validate-integration.js';

export interface CorePorts {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly auditLog: AuditLog;
  readonly gateways: PlatformGateways;
  readonly oauthStates: OAuthStateStore;
  /** The exact redirect URIs an OAuth flow may return to. */
  readonly oauthRedirectUris: readonly string[];
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
    startOAuth: startOAuth(ports),
    completeOAuth: completeOAuth(ports),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;
