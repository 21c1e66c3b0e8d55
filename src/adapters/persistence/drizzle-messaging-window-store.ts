import { and, eq, sql } from 'drizzle-orm';
import type { MessagingWindowStore } from '../../application/ports/messaging-window-store.js';
import type { MessageTag, MetaMessagingPlatform, WindowRecord } from '../../domain/outreach.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { outreachWindows as table } from './schema.js';

/** Messaging windows in `outreach_windows`, one row per person a user's Meta account talks to. */
export class DrizzleMessagingWindowStore implements MessagingWindowStore {
  constructor(private readonly db: Database) {}

  async find(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
  ): Promise<WindowRecord | null> {
    const [row] = await reachable(() =>
      this.db
        .select({
          lastInboundAt: table.lastInboundAt,
          closedAt: table.closedAt,
          humanAgentClosedAt: table.humanAgentClosedAt,
        })
        .from(table)
        .where(and(eq(table.userId, userId), eq(table.platform, platform), eq(table.recipient, recipient)))
        .limit(1),
    );
    return row ?? null;
  }

  async recordInbound(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
    at: Date,
  ): Promise<void> {
    await reachable(() =>
      this.db
        .insert(table)
        .values({ userId, platform, recipient, lastInboundAt: at })
        .onConflictDoUpdate({
          target: [table.userId, table.platform, table.recipient],
          set: { lastInboundAt: sql`greatest(${table.lastInboundAt}, excluded.last_inbound_at)` },
        }),
    );
  }

  async recordClosed(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
    tag: MessageTag | null,
    at: Date,
  ): Promise<void> {
    const closed = tag === null ? { closedAt: at } : { humanAgentClosedAt: at };
    await reachable(() =>
      this.db
        .insert(table)
        .values({ userId, platform, recipient, ...closed })
        .onConflictDoUpdate({ target: [table.userId, table.platform, table.recipient], set: closed }),
    );
  }
}
