import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { FernetSecretCipher } from '../adapters/crypto/fernet-secret-cipher.js';
import {
  createDirectMessageGateways,
  createPlatformGateways,
} from '../adapters/gateways/platform-gateways.js';
import { createJsonLogger } from '../adapters/logging/json-logger.js';
import { SecretValues } from '../adapters/logging/secret-values.js';
import type { Database } from '../adapters/persistence/database.js';
import { reachable } from '../adapters/persistence/database-errors.js';
import { DrizzleAuditLog } from '../adapters/persistence/drizzle-audit-log.js';
import { DrizzleDailySendCounter } from '../adapters/persistence/drizzle-daily-send-counter.js';
import { DrizzleIntegrationRepository } from '../adapters/persistence/drizzle-integration-repository.js';
import { DrizzleLifecycleStore } from '../adapters/persistence/drizzle-lifecycle-store.js';
import { DrizzleMessageLog } from '../adapters/persistence/drizzle-message-log.js';
import { DrizzleMessagingWindowStore } from '../adapters/persistence/drizzle-messaging-window-store.js';
import { DrizzleOAuthStateStore } from '../adapters/persistence/drizzle-oauth-state-store.js';
import { DrizzleSealedSecretStore } from '../adapters/persistence/drizzle-sealed-secret-store.js';
import { DrizzleSuppressionList } from '../adapters/persistence/drizzle-suppression-list.js';
import { systemClock } from '../application/ports/clock.js';
import type { Logger } from '../application/ports/logger.js';
import type { MailSender } from '../application/ports/mail-sender.js';
import type { MailVerifier } from '../application/ports/mail-verifier.js';
import type { RateLimitStore } from '../application/ports/rate-limit-store.js';
import type { Adapters } from '../composition.js';
import type { Config } from '../config.js';

// What every runtime (Node, Workers, Deno) wires the same way; web-standard code only, so the edge
// bundles can import it.

/** Values no log line may contain for as long as the process (or isolate) runs. */
function configuredSecrets(config: Config): string[] {
  const secrets = (config.encryptionKey ?? '').split(',').map((key) => key.trim());
  if (config.jwt !== null && 'secret' in config.jwt.key) secrets.push(config.jwt.key.secret);
  if (config.databaseUrl !== null) secrets.push(decodeURIComponent(new URL(config.databaseUrl).password));
  for (const app of Object.values(config.platforms.apps)) if (app !== null) secrets.push(app.clientSecret);
  return secrets;
}

/** The JSON logger at LOG_LEVEL, redacting the configured secrets, and the registry it redacts with. */
export function serviceLogger(config: Config, write: (line: string) => void) {
  const secrets = new SecretValues(configuredSecrets(config));
  return { logger: createJsonLogger(config.logLevel, write, secrets), secrets };
}

export async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await reachable<unknown>(() => db.execute(sql`select 1`));
    return true;
  } catch {
    return false;
  }
}

/** What differs between runtimes: how SMTP is checked, where rate counts live, how files are served. */
export interface RuntimeParts {
  readonly cipher: FernetSecretCipher;
  readonly logger: Logger;
  readonly secrets: SecretValues;
  readonly mailVerifier: MailVerifier;
  readonly mailSender: MailSender;
  readonly rateLimitStore: RateLimitStore;
  readonly staticAssets: MiddlewareHandler;
}

/** Every adapter of the service on one Drizzle database. */
export function serviceAdapters(config: Config, db: Database, parts: RuntimeParts): Adapters {
  const http = {
    // Bound: workerd refuses a fetch called as another object's method.
    fetch: globalThis.fetch.bind(globalThis),
    timeoutMs: config.outboundTimeoutMs,
  };
  return {
    ...parts,
    repository: new DrizzleIntegrationRepository(db),
    clock: systemClock,
    gateways: createPlatformGateways(config.platforms, { ...http, clock: systemClock }),
    directMessages: createDirectMessageGateways(config.platforms, http),
    messageLog: new DrizzleMessageLog(db),
    suppressions: new DrizzleSuppressionList(db),
    windows: new DrizzleMessagingWindowStore(db),
    dailySends: new DrizzleDailySendCounter(db),
    outreach: config.outreach,
    oauthStates: new DrizzleOAuthStateStore(db),
    oauthRedirectUris: config.oauthRedirectUris,
    auditLog: new DrizzleAuditLog(db),
    isDatabaseReady: () => databaseAnswers(db),
    lifecycle: new DrizzleLifecycleStore(db),
    sealedSecrets: new DrizzleSealedSecretStore(db),
    lifecycleSettings: config.lifecycle.settings,
  };
}
