import { sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import { joseTokenVerifier } from './adapters/auth/jose-token-verifier.js';
import { fetchExchange, type HttpExchange } from './adapters/gateways/http-client.js';
import {
  createDirectMessageGateways,
  createPlatformGateways,
} from './adapters/gateways/platform-gateways.js';
import { createApp, type HttpSecurity } from './adapters/http/app.js';
import { metricsRoutes } from './adapters/http/metrics-routes.js';
import { wireFormat } from './adapters/http/presenters.js';
import { createJsonLogger, type RedactingLogger } from './adapters/logging/json-logger.js';
import { SecretValues } from './adapters/logging/secret-values.js';
import { type MetricsRecorder, type MetricsText, noMetrics } from './adapters/metrics/metrics-recorder.js';
import type { Database } from './adapters/persistence/database.js';
import { reachable } from './adapters/persistence/database-errors.js';
import { DrizzleAuditLog } from './adapters/persistence/drizzle-audit-log.js';
import { DrizzleDailySendCounter } from './adapters/persistence/drizzle-daily-send-counter.js';
import { DrizzleDataDeletionStore } from './adapters/persistence/drizzle-data-deletion-store.js';
import { DrizzleEventLog } from './adapters/persistence/drizzle-event-log.js';
import { DrizzleInboundMessageStore } from './adapters/persistence/drizzle-inbound-message-store.js';
import { DrizzleIntegrationRepository } from './adapters/persistence/drizzle-integration-repository.js';
import { DrizzleLifecycleStore } from './adapters/persistence/drizzle-lifecycle-store.js';
import { DrizzleMailboxPolls } from './adapters/persistence/drizzle-mailbox-polls.js';
import { DrizzleMessageLog } from './adapters/persistence/drizzle-message-log.js';
import { DrizzleMessagingWindowStore } from './adapters/persistence/drizzle-messaging-window-store.js';
import { DrizzleOAuthStateStore } from './adapters/persistence/drizzle-oauth-state-store.js';
import { DrizzleRateLimitStore } from './adapters/persistence/drizzle-rate-limit-store.js';
import { DrizzleRecipientFacts } from './adapters/persistence/drizzle-recipient-facts.js';
import { DrizzleSealedSecretStore } from './adapters/persistence/drizzle-sealed-secret-store.js';
import { DrizzleSuppressionList } from './adapters/persistence/drizzle-suppression-list.js';
import { DrizzleTokenMaskStore } from './adapters/persistence/drizzle-token-mask-store.js';
import { DrizzleWebhookOutbox } from './adapters/persistence/drizzle-webhook-outbox.js';
import { InMemoryRateLimitStore } from './adapters/rate-limit/in-memory-rate-limit-store.js';
import { standardWebhookSender } from './adapters/webhooks/standard-webhook-sender.js';
import { integrationAnnouncements } from './application/integration-announcements.js';
import { type Clock, systemClock } from './application/ports/clock.js';
import type { DirectMessageGateways } from './application/ports/direct-message-gateway.js';
import type { IntegrationRepository } from './application/ports/integration-repository.js';
import type { MailSender } from './application/ports/mail-sender.js';
import type { MailVerifier } from './application/ports/mail-verifier.js';
import type { MailboxReader } from './application/ports/mailbox-reader.js';
import type { PlatformGateways } from './application/ports/platform-gateway.js';
import type { RateLimitStore } from './application/ports/rate-limit-store.js';
import type { SecretCipher } from './application/ports/secret-cipher.js';
import { type Sha256Hex, webSha256Hex } from './application/ports/sha256.js';
import { backfillTokenMasks } from './application/use-cases/backfill-token-masks.js';
import { checkEncryptionKeys } from './application/use-cases/check-encryption-keys.js';
import { checkIntegrationHealth } from './application/use-cases/check-integration-health.js';
import { checkRecipient } from './application/use-cases/check-recipient.js';
import { completeOAuth } from './application/use-cases/complete-oauth.js';
import { deleteIntegration } from './application/use-cases/delete-integration.js';
import { deliverWebhooks, redeliverFailed } from './application/use-cases/deliver-webhooks.js';
import { getAllCapabilities, getPlatformCapability } from './application/use-cases/get-capabilities.js';
import { listAuditEntries } from './application/use-cases/list-audit-entries.js';
import { listEvents } from './application/use-cases/list-events.js';
import { listIntegrations } from './application/use-cases/list-integrations.js';
import {
  deauthorizeMetaUser,
  eraseMetaUser,
  findDataDeletion,
} from './application/use-cases/meta-user-callbacks.js';
import {
  findUnsubscribe,
  listMessages,
  listSuppressions,
  suppressAddress,
  unsubscribe,
  unsuppressAddress,
} from './application/use-cases/outreach-log.js';
import { pollMailboxes } from './application/use-cases/poll-mailboxes.js';
import { purgeEvents } from './application/use-cases/purge-events.js';
import { receiveMetaMessages } from './application/use-cases/receive-meta-messages.js';
import { refreshDueIntegrations } from './application/use-cases/refresh-due-integrations.js';
import { renewToken } from './application/use-cases/renew-token.js';
import { rotateSecrets } from './application/use-cases/rotate-secrets.js';
import { saveIntegration } from './application/use-cases/save-integration.js';
import { type OutreachPorts, sendMessage } from './application/use-cases/send-message.js';
import { startOAuth } from './application/use-cases/start-oauth.js';
import type { LifecycleJobs, UseCases } from './application/use-cases/use-cases.js';
import { validateIntegration } from './application/use-cases/validate-integration.js';
import type { Config } from './config.js';

// The one place that builds adapters and binds use cases to them. Web-standard code only: the Workers
// and Deno entries import it as the Node one does.

/** The JSON logger and the registry of the fixed values it redacts (each request adds its own). */
export interface ServiceLog {
  readonly logger: RedactingLogger;
  readonly secrets: SecretValues;
}

/** Values no log line may contain for as long as the process (or isolate) runs. */
function configuredSecrets(config: Config): string[] {
  const secrets = (config.encryptionKey ?? '').split(',').map((key) => key.trim());
  if (config.jwt !== null && 'secret' in config.jwt.key) secrets.push(config.jwt.key.secret);
  if (config.metrics.token !== null) secrets.push(config.metrics.token);
  if (config.databaseUrl !== null) secrets.push(decodeURIComponent(new URL(config.databaseUrl).password));
  for (const app of Object.values(config.platforms.apps)) if (app !== null) secrets.push(app.clientSecret);
  secrets.push(...config.webhooks.secrets);
  return secrets;
}

/** The logger at LOG_LEVEL writing to `write`, redacting the configured secrets (and `alsoSecret`). */
export function createServiceLog(
  config: Config,
  write: (line: string) => void,
  alsoSecret: readonly string[] = [],
): ServiceLog {
  const secrets = new SecretValues([...configuredSecrets(config), ...alsoSecret]);
  return { logger: createJsonLogger(config.logLevel, write, secrets), secrets };
}

/** What only the runtime knows: its database connection, keyring, SMTP, files, sockets, output and time. */
export interface RuntimeDrivers {
  readonly db: Database;
  readonly cipher: SecretCipher;
  /** Nodemailer on Node; a verifier that answers 501 where SMTP cannot be checked honestly. */
  readonly mailVerifier: MailVerifier;
  /** Nodemailer on Node, over the same checked connection; a sender that answers 501 elsewhere. */
  readonly mailSender: MailSender;
  /** imapflow on Node, under the SMTP address policy; a reader that answers 501 elsewhere. */
  readonly mailboxReader: MailboxReader;
  /** Serves the browser pages' files under `/assets/`. */
  readonly staticAssets: MiddlewareHandler;
  readonly socketAddress: HttpSecurity['socketAddress'];
  readonly log: ServiceLog;
  readonly clock?: Clock;
  /**
   * What webhooks are sent over: on Node, node:http applying the endpoint address policy to every
   * connection (names resolved then); fetch elsewhere, where only the start-up check of WEBHOOK_URLS holds.
   */
  readonly webhookFetch?: typeof globalThis.fetch;
  /** How the gateways call the platforms: node:http on Node; fetch elsewhere. */
  readonly httpExchange?: HttpExchange;
  /** node:crypto on Node; Web Crypto elsewhere. */
  readonly sha256Hex?: Sha256Hex;
  /**
   * prom-client on Node (`recorder`, and `scrape` for `/metrics` on the service's port when METRICS_TOKEN
   * is set without METRICS_PORT); nothing is recorded without it.
   */
  readonly metrics?:
    | { readonly recorder: MetricsRecorder; readonly scrape: () => Promise<MetricsText> }
    | undefined;
}

/** What tests put in place of the real adapters; production passes none. */
export interface Overrides {
  readonly repository?: IntegrationRepository;
  readonly gateways?: PlatformGateways;
  readonly directMessages?: DirectMessageGateways;
  readonly rateLimitStore?: RateLimitStore;
}

async function databaseAnswers(db: Database): Promise<boolean> {
  try {
    await reachable<unknown>(() => db.execute(sql`select 1`));
    return true;
  } catch {
    return false;
  }
}

/** Webhook deliveries claimed and attempted at once by one instance. */
const WEBHOOK_BATCH_SIZE = 100;

/** Expired rows one purge statement deletes, and the batches of each kind one pass deletes at most. */
const PURGE_BATCH_SIZE = 500;
const PURGE_MAX_BATCHES = 200;

/** The HTTP app and the lifecycle jobs of one service, from its configuration and its runtime's drivers. */
export function compose(config: Config, drivers: RuntimeDrivers, overrides: Overrides = {}) {
  const { db, cipher, mailVerifier, mailboxReader, log } = drivers;
  const clock = drivers.clock ?? systemClock;
  const repository = overrides.repository ?? new DrizzleIntegrationRepository(db);
  // Bound: workerd refuses a fetch called as another object's method.
  const fetch = globalThis.fetch.bind(globalThis);
  const http = {
    exchange: drivers.httpExchange ?? fetchExchange(fetch),
    timeoutMs: config.outboundTimeoutMs,
  };
  const announcements = integrationAnnouncements({ cipher, clock, mailVerifier, wireFormat });
  const gateways = overrides.gateways ?? createPlatformGateways(config.platforms, { ...http, clock });
  const outreach: OutreachPorts = {
    repository,
    announcements,
    wireFormat,
    cipher,
    clock,
    mailSender: drivers.mailSender,
    directMessages: overrides.directMessages ?? createDirectMessageGateways(config.platforms, http),
    messageLog: new DrizzleMessageLog(db),
    suppressions: new DrizzleSuppressionList(db),
    windows: new DrizzleMessagingWindowStore(db),
    dailySends: new DrizzleDailySendCounter(db),
    recipientFacts: new DrizzleRecipientFacts(db),
    sha256Hex: drivers.sha256Hex ?? webSha256Hex,
    outreach: config.outreach,
  };
  const auditLog = new DrizzleAuditLog(db);
  const eventLog = new DrizzleEventLog(db);
  const inbox = new DrizzleInboundMessageStore(db);
  const oauthStates = new DrizzleOAuthStateStore(db);
  const oauthRedirectUris = config.oauthRedirectUris;
  const lifecycleSettings = config.lifecycle.settings;
  const metaCallbacks = {
    repository,
    deletions: new DrizzleDataDeletionStore(db),
    announcements,
    clock,
  };

  // Saving and validating check credentials with the platform (or the SMTP and IMAP servers) and write.
  const credentialWrites = {
    repository,
    cipher,
    clock,
    mailVerifier,
    mailboxReader,
    gateways,
    announcements,
  };
  const useCases: UseCases = {
    listIntegrations: listIntegrations({ repository, cipher, clock }),
    getAllCapabilities: getAllCapabilities({ repository, clock, mailVerifier }),
    getPlatformCapability: getPlatformCapability({ repository, clock, mailVerifier }),
    saveIntegration: saveIntegration(credentialWrites),
    validateIntegration: validateIntegration(credentialWrites),
    deleteIntegration: deleteIntegration({ repository, cipher, gateways, announcements }),
    listAuditEntries: listAuditEntries({ auditLog }),
    listEvents: listEvents({
      eventLog,
      clock,
      retentionDays: config.events.retentionDays,
    }),
    startOAuth: startOAuth({ gateways, oauthStates, oauthRedirectUris, cipher, clock }),
    completeOAuth: completeOAuth({ repository, gateways, oauthStates, cipher, clock, announcements }),
    sendMessage: sendMessage(outreach),
    checkRecipient: checkRecipient(outreach),
    listMessages: listMessages(outreach),
    listSuppressions: listSuppressions(outreach),
    suppressAddress: suppressAddress(outreach),
    unsuppressAddress: unsuppressAddress(outreach),
    findUnsubscribe: findUnsubscribe(outreach),
    unsubscribe: unsubscribe(outreach),
    receiveMetaMessages: receiveMetaMessages({ inbox, clock }),
    deauthorizeMetaUser: deauthorizeMetaUser(metaCallbacks),
    eraseMetaUser: eraseMetaUser(metaCallbacks),
    findDataDeletion: findDataDeletion(metaCallbacks),
  };
  const { metrics } = drivers;
  const sealedSecrets = new DrizzleSealedSecretStore(db);
  const webhookOutbox = new DrizzleWebhookOutbox(db);
  const jobs: LifecycleJobs = {
    refreshDueIntegrations: refreshDueIntegrations({
      lifecycle: new DrizzleLifecycleStore(db),
      announcements,
      clock,
      logger: log.logger,
      lifecycleSettings,
      renewToken: renewToken({ cipher, gateways }),
      checkHealth: checkIntegrationHealth({ cipher, mailVerifier, mailboxReader, gateways }),
    }),
    checkEncryptionKeys: checkEncryptionKeys({ sealedSecrets, cipher }),
    rotateSecrets: rotateSecrets({ sealedSecrets, cipher }),
    backfillTokenMasks: backfillTokenMasks({ tokenMasks: new DrizzleTokenMaskStore(db), cipher }),
    deliverWebhooks: deliverWebhooks({
      outbox: webhookOutbox,
      sender: standardWebhookSender({
        secrets: config.webhooks.secrets,
        timeoutMs: config.webhooks.timeoutMs,
        fetch: drivers.webhookFetch ?? fetch,
      }),
      clock,
      random: Math.random,
      settings: { ...config.webhooks, batchSize: WEBHOOK_BATCH_SIZE },
      onSettled: (attempt) => metrics?.recorder.webhookAttemptSettled(attempt),
    }),
    redeliverFailed: redeliverFailed({ outbox: webhookOutbox, clock }),
    pollMailboxes: pollMailboxes({
      mailboxes: new DrizzleMailboxPolls(db),
      reader: mailboxReader,
      cipher,
      clock,
      logger: log.logger,
      settings: config.imap.settings,
    }),
    purgeEvents: purgeEvents({
      eventLog,
      inbox,
      clock,
      retentionDays: config.events.retentionDays,
      batchSize: PURGE_BATCH_SIZE,
      maxBatches: PURGE_MAX_BATCHES,
    }),
  };

  const rateLimitStore =
    overrides.rateLimitStore ??
    (config.rateLimits.store === 'database' ? new DrizzleRateLimitStore(db) : new InMemoryRateLimitStore());
  const { token: metricsToken, port: metricsPort } = config.metrics;
  const app = createApp({
    useCases,
    metrics: metrics?.recorder ?? noMetrics,
    metricsRoutes:
      metrics === undefined || metricsToken === null || metricsPort !== null
        ? null
        : metricsRoutes(metrics.scrape, metricsToken),
    logger: log.logger,
    auditLog,
    rateLimitStore,
    clock,
    isDatabaseReady: () => databaseAnswers(db),
    staticAssets: drivers.staticAssets,
    metaWebhooks: {
      verifyToken: config.platforms.metaWebhookVerifyToken,
      appSecrets: config.platforms.metaAppSecrets,
      publicBaseUrl: config.outreach.publicBaseUrl,
    },
    security: {
      verifyBearer: config.jwt === null ? null : joseTokenVerifier(config.jwt),
      corsOrigins: config.corsOrigins,
      rateLimits: config.rateLimits,
      socketAddress: drivers.socketAddress,
      clientAddressHeader: config.clientAddressHeader,
    },
  });
  return { app, jobs, logger: log.logger };
}

export type Service = ReturnType<typeof compose>;
