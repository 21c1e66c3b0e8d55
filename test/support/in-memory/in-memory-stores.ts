import { InMemoryRateLimitStore } from '../../../src/adapters/rate-limit/in-memory-rate-limit-store.js';
import { type Clock, systemClock } from '../../../src/application/ports/clock.js';
import { InMemoryAuditLog } from './in-memory-audit-log.js';
import { InMemoryDailySendCounter } from './in-memory-daily-send-counter.js';
import { InMemoryIntegrationRepository } from './in-memory-integration-repository.js';
import { InMemoryLifecycleStore } from './in-memory-lifecycle-store.js';
import { InMemoryMessageLog } from './in-memory-message-log.js';
import { InMemoryMessagingWindowStore } from './in-memory-messaging-window-store.js';
import { InMemoryOAuthStateStore } from './in-memory-oauth-state-store.js';
import { InMemoryRecipientFacts } from './in-memory-recipient-facts.js';
import { InMemorySealedSecretStore } from './in-memory-sealed-secret-store.js';
import { InMemorySuppressionList } from './in-memory-suppression-list.js';
import { InMemoryIntegrationRows } from './integration-rows.js';

/** Every persistence port in memory, sharing rows as the Drizzle adapters share tables. */
export function inMemoryStores(clock: Clock = systemClock) {
  const integrations = new InMemoryIntegrationRows(clock);
  const oauthStates = new InMemoryOAuthStateStore();
  const repository = new InMemoryIntegrationRepository(integrations);
  const suppressions = new InMemorySuppressionList();
  const windows = new InMemoryMessagingWindowStore();
  const dailySends = new InMemoryDailySendCounter();
  return {
    integrations,
    repository,
    lifecycle: new InMemoryLifecycleStore(integrations),
    oauthStates,
    sealedSecrets: new InMemorySealedSecretStore(integrations, oauthStates),
    auditLog: new InMemoryAuditLog(clock),
    rateLimitStore: new InMemoryRateLimitStore(),
    messageLog: new InMemoryMessageLog(),
    suppressions,
    windows,
    dailySends,
    recipientFacts: new InMemoryRecipientFacts({ repository, windows, suppressions, dailySends }),
  };
}

export type InMemoryStores = ReturnType<typeof inMemoryStores>;
