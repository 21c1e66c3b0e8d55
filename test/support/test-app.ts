import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { createJsonLogger } from '../../src/adapters/logging/json-logger.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { DrizzleOAuthStateStore } from '../../src/adapters/persistence/drizzle-oauth-state-store.js';
import { type Clock, systemClock } from '../../src/application/ports/clock.js';
import type { PlatformGateways } from '../../src/application/ports/platform-gateway.js';
import { buildApp } from '../../src/composition.js';
import { nodeStaticAssets } from '../../src/runtime/node-static-assets.js';
import type { TestDatabase } from './databases.js';
import { ScriptedGateway, ScriptedMailVerifier } from './fakes.js';

export interface TestAppOptions {
  /** Real gateways (e.g. pointed at the fakes); scripted ones otherwise. */
  readonly gateways?: PlatformGateways;
  readonly clock?: Clock;
  readonly oauthRedirectUris?: readonly string[];
}

/** The real app on a test database, with scripted platforms unless given, and captured log lines. */
export async function createTestApp(database: TestDatabase, options: TestAppOptions = {}) {
  const key = generateFernetKey();
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const mailVerifier = new ScriptedMailVerifier();
  const gateway = new ScriptedGateway();
  const logLines: string[] = [];
  const app = buildApp({
    repository: new DrizzleIntegrationRepository(database.handle.db),
    cipher,
    clock: options.clock ?? systemClock,
    mailVerifier,
    gateways: options.gateways ?? gateway.asGateways(),
    oauthStates: new DrizzleOAuthStateStore(database.handle.db),
    oauthRedirectUris: options.oauthRedirectUris ?? [],
    logger: createJsonLogger('debug', (line) => logLines.push(line)),
    isDatabaseReady: async () => true,
    staticAssets: nodeStaticAssets,
  });
  return { app, cipher, key, mailVerifier, gateway, logLines };
}
