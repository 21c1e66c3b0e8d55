import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { MetaMessagingPlatform, WindowRecord } from '../../domain/outreach.js';

/** What decides a Meta send to one person: the integration's capability facts and the person's window. */
export interface MetaRecipientFacts {
  readonly integration: CapabilityFacts | null;
  readonly window: WindowRecord | null;
}

/** What decides an email send to one address: the mailbox's capability facts, its suppression, today's count. */
export interface EmailRecipientFacts {
  readonly integration: CapabilityFacts | null;
  readonly suppressed: boolean;
  readonly sentToday: number;
}

/**
 * The pre-check's read, in one round trip: the same facts the integration repository, the window store,
 * the suppression list and the daily counter give one by one, read together, without any secret.
 */
export interface RecipientFacts {
  forMeta(userId: string, platform: MetaMessagingPlatform, recipient: string): Promise<MetaRecipientFacts>;
  /** `address` lower-cased as the suppression list keeps it; `day` the UTC day (YYYY-MM-DD) counted. */
  forEmail(userId: string, address: string, day: string): Promise<EmailRecipientFacts>;
}
