import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { Integration } from '../../domain/integration.js';
import type { MetaMessagingPlatform, WindowRecord } from '../../domain/outreach.js';

/** What decides a Meta send to one person: the integration's capability facts and the person's window. */
export interface MetaRecipientFacts {
  readonly integration: CapabilityFacts | null;
  readonly window: WindowRecord | null;
}

/** What a Meta send reads before it claims: the whole integration (its sealed token too) and the window. */
export interface MetaSendFacts {
  readonly integration: Integration | null;
  readonly window: WindowRecord | null;
}

/** What decides an email send to one address: the mailbox's capability facts, its suppression, today's count. */
export interface EmailRecipientFacts {
  readonly integration: CapabilityFacts | null;
  readonly suppressed: boolean;
  readonly sentToday: number;
}

/**
 * The pre-check's and a Meta send's read, in one round trip: the same facts the integration repository,
 * the window store, the suppression list and the daily counter give one by one, read together; only the
 * send's read holds a (sealed) secret.
 */
export interface RecipientFacts {
  forMeta(userId: string, platform: MetaMessagingPlatform, recipient: string): Promise<MetaRecipientFacts>;
  /** A Meta send's read: what the repository's `find` and the window store's `find` give, together. */
  forMetaSend(userId: string, platform: MetaMessagingPlatform, recipient: string): Promise<MetaSendFacts>;
  /** `address` lower-cased as the suppression list keeps it; `day` the UTC day (YYYY-MM-DD) counted. */
  forEmail(userId: string, address: string, day: string): Promise<EmailRecipientFacts>;
}
