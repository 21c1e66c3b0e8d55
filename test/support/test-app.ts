import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import type { HttpSecurity } from '../../src/adapters/http/app.js';
import { createJsonLogger, type LogLevel } from '../../src/adapters/logging/json-logger.js';
import { SecretValues } from '../../src/adapters/logging/secret-values.js';
import { DrizzleAuditLog } from '../../src/adapters/persistence/drizzle-audit-log.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { InMemoryRateLimitStore } from '../../src/adapters/rate-limit/in-memory-rate-limit-store.js';
import { type Clock, systemClock } from '../../src/application/ports/clock.js';
import type { IntegrationRepository } from '../../src/application/ports/integration-repository.js';
import type { PlatformTokenValidator } from '../../src/application/ports/platform-token-validator.js';
import type { RateLimitStore } from '../../src/application/ports/rate-limit-store.js';
import { buildApp } from '../../src/composition.js';
import type { TestDatabase } from './databases.js';
import { ScriptedMailVerifier, ScriptedTokenValidator } from './fakes.js';

export interface TestAppOptions {
  readonly tokenValidator?: PlatformTokenValidator;
  /** Defaults: development identity (`?user_id=`), no CORS, rate limiting off, socket address 127.0.0.1. */
  readonly security?: Partial<HttpSecurity>;
  readonly clock?: Clock;
  readonly rateLimitStore?: RateLimitStore;
  readonly repository?: IntegrationRepository;
  readonly logLevel?: LogLevel;
}

/** The real app on a test database, with scripted platforms and captured log lines. */
export async function createTestApp(database: TestDatabase, options: TestAppOptions = {}) {
  const key = generateFernetKey();
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const mailVerifier = new ScriptedMailVerifier();
  const scriptedTokens = new ScriptedTokenValidator();
  const logLines: string[] = [];
  const secrets = new SecretValues([key]);
  const auditLog = new DrizzleAuditLog(database.handle.db);
  const app = buildApp(
    {
      repository: options.repository ?? new DrizzleIntegrationRepository(database.handle.db),
      cipher,
      clock: options.clock ?? systemClock,
      mailVerifier,
      tokenValidator: options.tokenValidator ?? scriptedTokens,
      auditLog,
      rateLimitStore: options.rateLimitStore ?? new InMemoryRateLimitStore(),
      logger: createJsonLogger(options.logLevel ?? 'debug', (line) => logLines.push(line), secrets),
      secrets,
      isDatabaseReady: async () => true,
    },
    {
      verifyBearer: null,
      corsOrigins: [],
      rateLimits: { perMinute: 0, outboundPerMinute: 0 },
      socketAddress: () => '127.0.0.1',
      clientAddressHeader: null,
      ...options.security,
    },
  );
  return { app, cipher, key, mailVerifier, tokenValidator: scriptedTokens, logLines, auditLog };
}
