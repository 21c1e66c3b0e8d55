import type { MiddlewareHandler } from 'hono';
import { createApp } from './adapters/http/app.js';
import type { Clock } from './application/ports/clock.js';
import type { IntegrationRepository } from './application/ports/integration-repository.js';
import type { Logger } from './application/ports/logger.js';
import type { MailVerifier } from './application/ports/mail-verifier.js';
import type { OAuthStateStore } from './application/ports/oauth-state-store.js';
import type { PlatformGateways } from './application/ports/platform-gateway.js';
import type { SecretCipher } from './application/ports/secret-cipher.js';
import { createUseCases } from './application/use-cases/use-cases.js';

export interface Adapters {
  readonly repository: IntegrationRepository;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailVerifier: MailVerifier;
  readonly gateways: PlatformGateways;
  readonly oauthStates: OAuthStateStore;
  readonly oauthRedirectUris: readonly string[];
  readonly logger: Logger;
  readonly isDatabaseReady: () => Promise<boolean>;
  readonly staticAssets: MiddlewareHandler;
}

/** The one hand-written wiring of adapters into use cases and the HTTP app, shared by every runtime. */
export function buildApp(adapters: Adapters) {
  return createApp({
    useCases: createUseCases(adapters),
    logger: adapters.logger,
    isDatabaseReady: adapters.isDatabaseReady,
    staticAssets: adapters.staticAssets,
  });
}
