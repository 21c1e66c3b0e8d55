import type { MiddlewareHandler } from 'hono';
import { createApp, type HttpSecurity } from './adapters/http/app.js';
import type { SecretValues } from './adapters/logging/secret-values.js';
import type { AuditLog } from './application/ports/audit-log.js';
import type { Clock } from './application/ports/clock.js';
import type { IntegrationRepository } from './application/ports/integration-repository.js';
import type { LifecycleStore } from './application/ports/lifecycle-store.js';
import type { Logger } from './application/ports/logger.js';
import type { MailVerifier } from './application/ports/mail-verifier.js';
import type { OAuthStateStore } from './application/ports/oauth-state-store.js';
import type { PlatformGateways } from './application/ports/platform-gateway.js';
import type { RateLimitStore } from './application/ports/rate-limit-store.js';
import type { SealedSecretStore } from './application/ports/sealed-secret-store.js';
import type { SecretCipher } from './application/ports/secret-cipher.js';
import type { LifecycleSettings } from './application/use-cases/refresh-due-integrations.js';
import type { OutreachPorts } from './application/use-cases/send-message.js';
import { createLifecycleJobs, createUseCases } from './application/use-cases/use-cases.js';

export interface Adapters extends OutreachPorts {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly auditLog: AuditLog;
  readonly rateLimitStore: RateLimitStore;
  readonly gateways: PlatformGateways;
  readonly oauthStates: OAuthStateStore;
  readonly oauthRedirectUris: readonly string[];
  readonly logger: Logger;
  /** The registry `logger` redacts with. */
  readonly secrets: SecretValues;
  readonly isDatabaseReady: () => Promise<boolean>;
  readonly lifecycle: LifecycleStore;
  readonly sealedSecrets: SealedSecretStore;
  readonly lifecycleSettings: LifecycleSettings;
  readonly staticAssets: MiddlewareHandler;
}

/** The one hand-written wiring of adapters into use cases and the HTTP app, shared by every runtime. */
export function buildApp(adapters: Adapters, security: HttpSecurity) {
  return createApp({ ...adapters, useCases: createUseCases(adapters), security });
}

/** The lifecycle jobs (refresh and health checks, key check, key rotation) on the same adapters. */
export function buildLifecycleJobs(adapters: Adapters) {
  return createLifecycleJobs(adapters);
}
