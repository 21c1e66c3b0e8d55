import type { DailySendCounter } from '../../../src/application/ports/daily-send-counter.js';
import type { IntegrationRepository } from '../../../src/application/ports/integration-repository.js';
import type { MessagingWindowStore } from '../../../src/application/ports/messaging-window-store.js';
import type {
  EmailRecipientFacts,
  MetaRecipientFacts,
  MetaSendFacts,
  RecipientFacts,
} from '../../../src/application/ports/recipient-facts.js';
import type { SuppressionList } from '../../../src/application/ports/suppression-list.js';
import type { MetaMessagingPlatform } from '../../../src/domain/outreach.js';

/** DrizzleRecipientFacts in memory: the same facts, asked of the in-memory stores one by one. */
export class InMemoryRecipientFacts implements RecipientFacts {
  constructor(
    private readonly stores: {
      readonly repository: IntegrationRepository;
      readonly windows: MessagingWindowStore;
      readonly suppressions: SuppressionList;
      readonly dailySends: DailySendCounter;
    },
  ) {}

  async forMeta(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
  ): Promise<MetaRecipientFacts> {
    return {
      integration: await this.stores.repository.find(userId, platform),
      window: await this.stores.windows.find(userId, platform, recipient),
    };
  }

  async forMetaSend(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
  ): Promise<MetaSendFacts> {
    return {
      integration: await this.stores.repository.find(userId, platform),
      window: await this.stores.windows.find(userId, platform, recipient),
    };
  }

  async forEmail(userId: string, address: string, day: string): Promise<EmailRecipientFacts> {
    return {
      integration: await this.stores.repository.find(userId, 'email'),
      suppressed: await this.stores.suppressions.isSuppressed(userId, address),
      sentToday: await this.stores.dailySends.count(userId, day),
    };
  }
}
