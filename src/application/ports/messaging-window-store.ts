import type { MessageTag, MetaMessagingPlatform, WindowRecord } from '../../domain/outreach.js';

/**
 * What is known of each person's conversation with a user's Meta account: when they last wrote (recorded
 * by inbound platform webhooks) and when Meta last refused a reply as outside the window.
 */
export interface MessagingWindowStore {
  find(userId: string, platform: MetaMessagingPlatform, recipient: string): Promise<WindowRecord | null>;
  /** The person wrote at `at`; an older message than the one recorded changes nothing. */
  recordInbound(userId: string, platform: MetaMessagingPlatform, recipient: string, at: Date): Promise<void>;
  /** Meta refused a reply (with `tag`, or none) as outside the window at `at`. */
  recordClosed(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
    tag: MessageTag | null,
    at: Date,
  ): Promise<void>;
}
