import type { MetaMessagingPlatform } from '../../domain/outreach.js';
import type { NewEvent } from '../events.js';

/** A message a person sent to a Meta account, as a verified webhook reported it. */
export interface InboundMessage {
  readonly platform: MetaMessagingPlatform;
  /** `entry[].id`: the Facebook Page (facebook) or the Instagram professional account written to. */
  readonly accountId: string;
  /** The PSID or IGSID of the person who wrote. */
  readonly sender: string;
  /** Meta's message id, the same on every redelivery. */
  readonly mid: string;
  readonly text: string | null;
  readonly sentAt: Date;
}

/** An inbound message as recorded on one user's integration of its account. */
export interface InboundOnIntegration extends InboundMessage {
  readonly userId: string;
}

/** Where the messages people send reach the integrations of the accounts they wrote to. */
export interface InboundMessageStore {
  /**
   * Records `messages` on every integration of their account (facebook by `page_id`, instagram by
   * `account_id`) in one transaction: each opens its sender's window as of `sentAt` and writes the events
   * `announce` gives for it. A `mid` already recorded on that integration changes nothing; accounts no
   * integration holds are skipped. Answers how many were newly recorded.
   */
  record(
    messages: readonly InboundMessage[],
    announce: (message: InboundOnIntegration) => NewEvent,
  ): Promise<number>;
  /**
   * Forgets at most `limit` recorded `mid`s received before `before`, oldest first, skipping any another
   * purger holds; answers how many.
   */
  purge(before: Date, limit: number): Promise<number>;
}
