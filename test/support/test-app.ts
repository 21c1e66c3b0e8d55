import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { createJsonLogger } from '../../src/adapters/logging/json-logger.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { systemClock } from '../../src/application/ports/clock.js';
import type { PlatformTokenValidator } from '../../src/application/ports/platform-token-validator.js';
import { buildApp } from '../../src/composition.js';
import type { TestDatabase } from './databases.js';
import { ScriptedMailVerifier, ScriptedTokenValidator } from './fakes.js';

/** The real app on a test database, with scripted platforms and captured log lines. */
export async function createTestApp(database: TestDatabase, tokenValidator?: PlatformTokenValidator) {
  const key = generateFernetKey();
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const mailVerifier = new ScriptedMailVerifier();
  const scriptedTokens = new ScriptedTokenValidator();
  const logLines: string[] = [];
  const app = buildApp({
    repository: new DrizzleIntegrationRepository(database.handle.db),
    cipher,
    clock: systemClock,
    mailVerifier,
    tokenValidator: tokenValidator ?? scriptedTokens,
    logger: createJsonLogger('debug', (line) => logLines.push(line)),
    isDatabaseReady: async () => true,
  });
  return { app, cipher, key, mailVerifier, tokenValidator: scriptedTokens, logLines };
}
