import { and, eq, sql } from 'drizzle-orm';
import type { MessagingWindowStore } from '../../application/ports/messaging-window-store.js';
import type { MessageTag, MetaMessagingPlatform, WindowRecord } from '../../domain/outreach.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { outreachWindows as table } from './schema.js';

/** A person's last message, for {@link openWindows}. */
export interface InboundAt {
  readonly userId: string;
  readonly platform: MetaMessagingPlatform;
  readonly recipient: string;
  readonly lastInboundAt: Date;
}

/**
 * Records when each person last wrote, on `db` (a transaction, or not); an older message than the one
 * recorded changes nothing. At most one entry per person: one statement cannot update a row twice.
 */
export async function openWindows(db: Database, inbound: readonly InboundAt[]): Promise<void> {
  if (inbound.length === 0) return;
  await db
    .insert(table)
    .values(inbound.map((entry) => ({ ...entry })))
    .onConflictDoUpdate({
      target: [table.userId, table.platform, table.recipient],
      set: { lastInboundAt: sql`greatest(${table.lastInboundAt}, excluded.last_inbound_at)` },
    });
}

/** Messaging windows in `outreach_windows`, one row per person a user's Meta account talks to. */
export class DrizzleMessagingWindowStore implements MessagingWindowStore {
  // Every send and pre-check reads a window: the query is built once, not per request.
  private readonly findQuery;

  constructor(private readonly db: Database) {
    this.findQuery = db
      .select({
        lastInboundAt: table.lastInboundAt,
        closedAt: table.closedAt,
        humanAgentClosedAt: table.humanAgentClosedAt,
      })
      .from(table)
      .where(
        and(
          eq(table.userId, sql.placeholder('userId')),
          eq(table.platform, sql.placeholder('platform')),
          eq(table.recipient, sql.placeholder('recipient')),
        ),
      )
      .limit(1)
      .prepare('window_by_recipient');
  }

  async find(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
  ): Promise<WindowRecord | null> {
    const [row] = await reachable(() => this.findQuery.execute({ userId, platform, recipient }));
    return row ?? null;
  }

  async recordInbound(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
    at: Date,
  ): Promise<void> {
    await reachable(() => openWindows(this.db, [{ userId, platform, recipient, lastInboundAt: at }]));
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
