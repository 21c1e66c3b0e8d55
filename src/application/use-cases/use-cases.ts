import type { backfillTokenMasks } from './backfill-token-masks.js';
import type { checkEncryptionKeys } from './check-encryption-keys.js';
import type { checkRecipient } from './check-recipient.js';
import type { completeOAuth } from './complete-oauth.js';
import type { deleteIntegration } from './delete-integration.js';
import type { DeliverWebhooks, RedeliverFailed } from './deliver-webhooks.js';
import type { getAllCapabilities, getPlatformCapability } from './get-capabilities.js';
import type { listAuditEntries } from './list-audit-entries.js';
import type { listEvents } from './list-events.js';
import type { listIntegrations } from './list-integrations.js';
import type { deauthorizeMetaUser, eraseMetaUser, findDataDeletion } from './meta-user-callbacks.js';
import type {
  findUnsubscribe,
  listMessages,
  listSuppressions,
  suppressAddress,
  unsubscribe,
  unsuppressAddress,
} from './outreach-log.js';
import type { PollMailboxes } from './poll-mailboxes.js';
import type { PurgeEvents } from './purge-events.js';
import type { receiveMetaMessages } from './receive-meta-messages.js';
import type { refreshDueIntegrations } from './refresh-due-integrations.js';
import type { rotateSecrets } from './rotate-secrets.js';
import type { saveIntegration } from './save-integration.js';
import type { sendMessage } from './send-message.js';
import type { startOAuth } from './start-oauth.js';
import type { validateIntegration } from './validate-integration.js';

// Shapes only: the composition root (src/composition.ts) binds each use case to its ports.

/** What the HTTP API can ask of the core, each use case bound to its ports. */
export interface UseCases {
  readonly listIntegrations: ReturnType<typeof listIntegrations>;
  readonly getAllCapabilities: ReturnType<typeof getAllCapabilities>;
  readonly getPlatformCapability: ReturnType<typeof getPlatformCapability>;
  readonly saveIntegration: ReturnType<typeof saveIntegration>;
  readonly validateIntegration: ReturnType<typeof validateIntegration>;
  readonly deleteIntegration: ReturnType<typeof deleteIntegration>;
  readonly listAuditEntries: ReturnType<typeof listAuditEntries>;
  readonly listEvents: ReturnType<typeof listEvents>;
  readonly startOAuth: ReturnType<typeof startOAuth>;
  readonly completeOAuth: ReturnType<typeof completeOAuth>;
  readonly sendMessage: ReturnType<typeof sendMessage>;
  readonly checkRecipient: ReturnType<typeof checkRecipient>;
  readonly listMessages: ReturnType<typeof listMessages>;
  readonly listSuppressions: ReturnType<typeof listSuppressions>;
  readonly suppressAddress: ReturnType<typeof suppressAddress>;
  readonly unsuppressAddress: ReturnType<typeof unsuppressAddress>;
  readonly findUnsubscribe: ReturnType<typeof findUnsubscribe>;
  readonly unsubscribe: ReturnType<typeof unsubscribe>;
  readonly receiveMetaMessages: ReturnType<typeof receiveMetaMessages>;
  readonly deauthorizeMetaUser: ReturnType<typeof deauthorizeMetaUser>;
  readonly eraseMetaUser: ReturnType<typeof eraseMetaUser>;
  readonly findDataDeletion: ReturnType<typeof findDataDeletion>;
}

/** The jobs that keep stored credentials alive and readable. */
export interface LifecycleJobs {
  readonly refreshDueIntegrations: ReturnType<typeof refreshDueIntegrations>;
  readonly checkEncryptionKeys: ReturnType<typeof checkEncryptionKeys>;
  readonly rotateSecrets: ReturnType<typeof rotateSecrets>;
  readonly backfillTokenMasks: ReturnType<typeof backfillTokenMasks>;
  readonly deliverWebhooks: DeliverWebhooks;
  readonly redeliverFailed: RedeliverFailed;
  readonly pollMailboxes: PollMailboxes;
  readonly purgeEvents: PurgeEvents;
}
