import type { MessagingWindowStore } from '../../../src/application/ports/messaging-window-store.js';
import type { MessageTag, MetaMessagingPlatform, WindowRecord } from '../../../src/domain/outreach.js';

const EMPTY: WindowRecord = { lastInboundAt: null, closedAt: null, humanAgentClosedAt: null };

/** DrizzleMessagingWindowStore in memory. */
export class InMemoryMessagingWindowStore implements MessagingWindowStore {
  private readonly records = new Map<string, WindowRecord>();

  async find(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
  ): Promise<WindowRecord | null> {
    return this.records.get(JSON.stringify([userId, platform, recipient])) ?? null;
  }

  async recordInbound(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
    at: Date,
  ): Promise<void> {
    const record = (await this.find(userId, platform, recipient)) ?? EMPTY;
    const last = record.lastInboundAt;
    this.put(userId, platform, recipient, {
      ...record,
      lastInboundAt: last !== null && last > at ? last : at,
    });
  }

  async recordClosed(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
    tag: MessageTag | null,
    at: Date,
  ): Promise<void> {
    const record = (await this.find(userId, platform, recipient)) ?? EMPTY;
    this.put(
      userId,
      platform,
      recipient,
      tag === null ? { ...record, closedAt: at } : { ...record, humanAgentClosedAt: at },
    );
  }

  private put(userId: string, platform: MetaMessagingPlatform, recipient: string, record: WindowRecord) {
    this.records.set(JSON.stringify([userId, platform, recipient]), record);
  }
}
