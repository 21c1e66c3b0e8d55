import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import type { HttpSecurity } from '../../src/adapters/http/app.js';
import { createJsonLogger, type LogLevel } from '../../src/adapters/logging/json-logger.js';
import { SecretValues } from '../../src/adapters/logging/secret-values.js';
import { DrizzleAuditLog } from '../../src/adapters/persistence/drizzle-audit-log.js';
import { DrizzleDailySendCounter } from '../../src/adapters/persistence/drizzle-daily-send-counter.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { DrizzleLifecycleStore } from '../../src/adapters/persistence/drizzle-lifecycle-store.js';
import { DrizzleMessageLog } from '../../src/adapters/persistence/drizzle-message-log.js';
import { DrizzleMessagingWindowStore } from '../../src/adapters/persistence/drizzle-messaging-window-store.js';
import { DrizzleOAuthStateStore } from '../../src/adapters/persistence/drizzle-oauth-state-store.js';
import { DrizzleSealedSecretStore } from '../../src/adapters/persistence/drizzle-sealed-secret-store.js';
import { DrizzleSuppressionList } from '../../src/adapters/persistence/drizzle-suppression-list.js';
import { InMemoryRateLimitStore } from '../../src/adapters/rate-limit/in-memory-rate-limit-store.js';
import { type Clock, systemClock } from '../../src/application/ports/clock.js';
import type { DirectMessageGateways } from '../../src/application/ports/direct-message-gateway.js';
import type { IntegrationRepository } from '../../src/application/ports/integration-repository.js';
import type { MailSender } from '../../src/application/ports/mail-sender.js';
import type { PlatformGateways } from '../../src/application/ports/platform-gateway.js';
import type { RateLimitStore } from '../../src/application/ports/rate-limit-store.js';
import type { LifecycleSettings } from '../../src/application/use-cases/refresh-due-integrations.js';
import type { OutreachSettings } from '../../src/application/use-cases/send-message.js';
import { type Adapters, buildApp, buildLifecycleJobs } from '../../src/composition.js';
import { nodeStaticAssets } from '../../src/runtime/node-static-assets.js';
import type { TestDatabase } from './databases.js';
import { ScriptedGateway, ScriptedMailSender, ScriptedMailVerifier, ScriptedMessenger } from './fakes.js';

export interface TestAppOptions {
  /** Real gateways (e.g. pointed at the fakes); scripted ones otherwise. */
  readonly gateways?: PlatformGateways;
  readonly clock?: Clock;
  readonly oauthRedirectUris?: readonly string[];
  /** Defaults: development identity (`?user_id=`), no CORS, rate limiting off, socket address 127.0.0.1. */
  readonly security?: Partial<HttpSecurity>;
  readonly rateLimitStore?: RateLimitStore;
  readonly repository?: IntegrationRepository;
  readonly logLevel?: LogLevel;
  /** Values the logger must redact for good, like the OAuth client secrets the runtime registers. */
  readonly fixedSecrets?: readonly string[];
  /** The Fernet keyring, newest first; a fresh key otherwise. */
  readonly keys?: string;
  readonly lifecycleSettings?: LifecycleSettings;
  /** Real senders (e.g. pointed at the fakes or an SMTP server); scripted ones otherwise. */
  readonly directMessages?: DirectMessageGateways;
  readonly mailSender?: MailSender;
  readonly outreach?: Partial<OutreachSettings>;
}

export const TEST_LIFECYCLE_SETTINGS: LifecycleSettings = {
  batchSize: 25,
  leaseMs: 5 * 60_000,
  healthCheckIntervalMs: 24 * 3_600_000,
};

/**
 * The real app and lifecycle jobs on a test database, with scripted platforms unless given, and
 * captured log lines.
 */
export async function createTestApp(database: TestDatabase, options: TestAppOptions = {}) {
  const key = options.keys ?? generateFernetKey();
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const mailVerifier = new ScriptedMailVerifier();
  const gateway = new ScriptedGateway();
  const messenger = new ScriptedMessenger();
  const scriptedMailSender = new ScriptedMailSender();
  const logLines: string[] = [];
  const secrets = new SecretValues([...key.split(','), ...(options.fixedSecrets ?? [])]);
  const auditLog = new DrizzleAuditLog(database.handle.db);
  const adapters: Adapters = {
    repository: options.repository ?? new DrizzleIntegrationRepository(database.handle.db),
    cipher,
    clock: options.clock ?? systemClock,
    mailVerifier,
    gateways: options.gateways ?? gateway.asGateways(),
    oauthStates: new DrizzleOAuthStateStore(database.handle.db),
    oauthRedirectUris: options.oauthRedirectUris ?? [],
    auditLog,
    rateLimitStore: options.rateLimitStore ?? new InMemoryRateLimitStore(),
    logger: createJsonLogger(options.logLevel ?? 'debug', (line) => logLines.push(line), secrets),
    secrets,
    isDatabaseReady: async () => true,
    staticAssets: nodeStaticAssets,
    lifecycle: new DrizzleLifecycleStore(database.handle.db),
    sealedSecrets: new DrizzleSealedSecretStore(database.handle.db),
    lifecycleSettings: options.lifecycleSettings ?? TEST_LIFECYCLE_SETTINGS,
    mailSender: options.mailSender ?? scriptedMailSender,
    directMessages: options.directMessages ?? messenger.asGateways(),
    messageLog: new DrizzleMessageLog(database.handle.db),
    suppressions: new DrizzleSuppressionList(database.handle.db),
    windows: new DrizzleMessagingWindowStore(database.handle.db),
    dailySends: new DrizzleDailySendCounter(database.handle.db),
    outreach: { emailDailyLimit: 200, publicBaseUrl: 'https://outreach.example.com', ...options.outreach },
  };
  const app = buildApp(adapters, {
    verifyBearer: null,
    corsOrigins: [],
    rateLimits: { perMinute: 0, outboundPerMinute: 0 },
    socketAddress: () => '127.0.0.1',
    clientAddressHeader: null,
    ...options.security,
  });
  return {
    app,
    jobs: buildLifecycleJobs(adapters),
    repository: adapters.repository,
    cipher,
    key,
    mailVerifier,
    gateway,
    messenger,
    mailSender: scriptedMailSender,
    windows: adapters.windows,
    logLines,
    auditLog,
  };
}
