import { generateFernetKey } from '../../src/adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../../src/adapters/crypto/fernet-secret-cipher.js';
import { ImapflowMailboxReader } from '../../src/adapters/gateways/imap/imapflow-mailbox-reader.js';
import type { HttpSecurity } from '../../src/adapters/http/app.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import type { Clock } from '../../src/application/ports/clock.js';
import type { MailSender } from '../../src/application/ports/mail-sender.js';
import type { MailboxReader } from '../../src/application/ports/mailbox-reader.js';
import { compose, createServiceLog, type Overrides, type RuntimeDrivers } from '../../src/composition.js';
import { type Config, parseConfig } from '../../src/config.js';
import { nodeStaticAssets } from '../../src/runtime/node-static-assets.js';
import type { TestDatabase } from './databases.js';
import { ScriptedGateway, ScriptedMailSender, ScriptedMailVerifier, ScriptedMessenger } from './fakes.js';

export interface TestAppOptions extends Overrides {
  /**
   * Environment variables, parsed as the runtimes parse theirs. Defaults: NODE_ENV=test, LOG_LEVEL=debug,
   * rate limiting off (RATE_LIMIT_PER_MINUTE=0), development identity (`?user_id=`), no CORS.
   */
  readonly env?: Readonly<Record<string, string>>;
  readonly clock?: Clock;
  /** The socket's address as a runtime would see it; 127.0.0.1 otherwise. */
  readonly socketAddress?: HttpSecurity['socketAddress'];
  /** Values the logger must redact for good, like the OAuth client secrets the runtime registers. */
  readonly fixedSecrets?: readonly string[];
  /** The Fernet keyring, newest first; a fresh key otherwise. */
  readonly keys?: string;
  /** A real sender (e.g. to a test SMTP server); a scripted one otherwise. */
  readonly mailSender?: MailSender;
  /** A reader for a test IMAP server; otherwise the production one under the test configuration. */
  readonly mailboxReader?: MailboxReader;
  readonly metrics?: RuntimeDrivers['metrics'];
  /** What webhooks are sent over; the global fetch otherwise. */
  readonly webhookFetch?: typeof fetch;
}

/** The configuration a runtime would parse from `env` on top of the test defaults; throws on a bad one. */
export function testConfig(env: Readonly<Record<string, string>> = {}): Config {
  const parsed = parseConfig({ NODE_ENV: 'test', LOG_LEVEL: 'debug', RATE_LIMIT_PER_MINUTE: '0', ...env });
  if (!parsed.ok) throw new Error(`Invalid test configuration: ${parsed.problems.join('; ')}`);
  return parsed.config;
}

/**
 * The real app and lifecycle jobs on a test database, composed as every runtime composes them, with
 * scripted platforms and SMTP unless given, and captured log lines.
 */
export async function createTestApp(database: TestDatabase, options: TestAppOptions = {}) {
  const {
    env,
    clock,
    socketAddress,
    fixedSecrets = [],
    keys,
    mailSender,
    mailboxReader,
    metrics,
    webhookFetch,
    ...overrides
  } = options;
  const key = keys ?? generateFernetKey();
  const config = testConfig({ ENCRYPTION_KEY: key, ...env });
  const cipher = await FernetSecretCipher.fromKeyList(key);
  const mailVerifier = new ScriptedMailVerifier();
  const gateway = new ScriptedGateway();
  const messenger = new ScriptedMessenger();
  const scriptedMailSender = new ScriptedMailSender();
  const logLines: string[] = [];
  const service = compose(
    config,
    {
      db: database.handle.db,
      cipher,
      mailVerifier,
      mailSender: mailSender ?? scriptedMailSender,
      mailboxReader:
        mailboxReader ??
        new ImapflowMailboxReader({
          timeoutMs: config.outboundTimeoutMs,
          allowPrivateHosts: config.smtpAllowPrivateHosts,
        }),
      staticAssets: nodeStaticAssets,
      socketAddress: socketAddress ?? (() => '127.0.0.1'),
      log: createServiceLog(config, (line) => logLines.push(line), fixedSecrets),
      ...(clock === undefined ? {} : { clock }),
      ...(metrics === undefined ? {} : { metrics }),
      ...(webhookFetch === undefined ? {} : { webhookFetch }),
    },
    { gateways: gateway.asGateways(), directMessages: messenger.asGateways(), ...overrides },
  );
  // For reading what was stored; the app has its own.
  const repository = overrides.repository ?? new DrizzleIntegrationRepository(database.handle.db);
  return {
    ...service,
    repository,
    cipher,
    key,
    mailVerifier,
    gateway,
    messenger,
    mailSender: scriptedMailSender,
    logLines,
  };
}
