import type { AuditLog } from '../ports/audit-log.js';
import type { Clock } from '../ports/clock.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { LifecycleStore } from '../ports/lifecycle-store.js';
import type { Logger } from '../ports/logger.js';
import type { MailVerifier } from '../ports/mail-verifier.js';
import type { OAuthStateStore } from '../ports/oauth-state-store.js';
import type { PlatformGateways } from '../ports/platform-gateway.js';
import type { SealedSecretStore } from '../ports/sealed-secret-store.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import { checkEncryptionKeys } from './check-encryption-keys.js';
import { checkRecipient } from './check-recipient.js';
import { completeOAuth } from './complete-oauth.js';
import { deleteIntegration } from './delete-integration.js';
import { getAllCapabilities, getPlatformCapability } from './get-capabilities.js';
import { listAuditEntries } from './list-audit-entries.js';
import { listIntegrations } from './list-integrations.js';
import {
  findUnsubscribe,
  listMessages,
  listSuppressions,
  suppressAddress,
  unsubscribe,
  unsuppressAddress,
} from './outreach-log.js';
import { type LifecycleSettings, refreshDueIntegrations } from './refresh-due-integrations.js';
import { rotateSecrets } from './rotate-secrets.js';
import { saveIntegration } from './save-integration.js';
import { type OutreachPorts, sendMessage } from './send-message.js';
import { startOAuth } from './start-oauth.js';
import { validateIntegration } from './validate-integration.js';

export interface CorePorts extends OutreachPorts {
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
    sendMessage: sendMessage(ports),
    checkRecipient: checkRecipient(ports),
    listMessages: listMessages(ports),
    listSuppressions: listSuppressions(ports),
    suppressAddress: suppressAddress(ports),
    unsuppressAddress: unsuppressAddress(ports),
    findUnsubscribe: findUnsubscribe(ports),
    unsubscribe: unsubscribe(ports),
  };
}

export type UseCases = ReturnType<typeof createUseCases>;

export interface LifecyclePorts {
  readonly lifecycle: LifecycleStore;
  readonly sealedSecrets: SealedSecretStore;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly gateways: PlatformGateways;
  readonly logger: Logger;
  readonly lifecycleSettings: LifecycleSettings;
}

/** The jobs that keep stored credentials alive and readable, bound to their ports. */
export function createLifecycleJobs(ports: LifecyclePorts) {
  return {
    refreshDueIntegrations: refreshDueIntegrations(ports),
    checkEncryptionKeys: checkEncryptionKeys(ports),
    rotateSecrets: rotateSecrets(ports),
  };
}

export type LifecycleJobs = ReturnType<typeof createLifecycleJobs>;
