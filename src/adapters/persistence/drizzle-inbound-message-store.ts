import { and, asc, eq, inArray, lt, or, type SQL, sql } from 'drizzle-orm';
import type { NewEvent } from '../../application/events.js';
import type {
  InboundMessage,
  InboundMessageStore,
  InboundOnIntegration,
} from '../../application/ports/inbound-message-store.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { insertEvents } from './drizzle-event-log.js';
import { type InboundAt, openWindows } from './drizzle-messaging-window-store.js';
import { socialIntegrations as integrations, metaReceivedMessages as received } from './schema.js';

const accountsOf = (messages: readonly InboundMessage[], platform: InboundMessage['platform']) => [
  ...new Set(messages.filter((message) => message.platform === platform).map((message) => message.accountId)),
];

const keyOf = (message: { readonly userId: string; readonly platform: string; readonly mid: string }) =>
  JSON.stringify([message.userId, message.platform, message.mid]);

/** The latest message of each person on each integration: the window each one opens. */
function latestPerPerson(messages: readonly InboundOnIntegration[]): InboundAt[] {
  const latest = new Map<string, InboundAt>();
  for (const message of messages) {
    const key = JSON.stringify([message.userId, message.platform, message.sender]);
    const known = latest.get(key);
    if (known === undefined || known.lastInboundAt.getTime() < message.sentAt.getTime()) {
      latest.set(key, {
        userId: message.userId,
        platform: message.platform,
        recipient: message.sender,
        lastInboundAt: message.sentAt,
      });
    }
  }
  return [...latest.values()];
}

/**
 * Inbound Meta messages in four statements, however many a webhook carries: the integrations of the
 * accounts written to, the `mid`s not seen before (`meta_received_messages`), their windows, their events.
 */
export class DrizzleInboundMessageStore implements InboundMessageStore {
  constructor(private readonly db: Database) {}

  async record(
    messages: readonly InboundMessage[],
    announce: (message: InboundOnIntegration) => NewEvent,
  ): Promise<number> {
    const pages = accountsOf(messages, 'facebook');
    const accounts = accountsOf(messages, 'instagram');
    const held: SQL[] = [];
    if (pages.length > 0) {
      held.push(and(eq(integrations.platform, 'facebook'), inArray(integrations.pageId, pages)) as SQL);
    }
    if (accounts.length > 0) {
      held.push(
        and(eq(integrations.platform, 'instagram'), inArray(integrations.accountId, accounts)) as SQL,
      );
    }
    if (held.length === 0) return 0;
    return reachable(() =>
      this.db.transaction(async (tx) => {
        const holders = await tx
          .select({
            userId: integrations.userId,
            platform: integrations.platform,
            pageId: integrations.pageId,
            accountId: integrations.accountId,
          })
          .from(integrations)
          .where(or(...held));
        const candidates = new Map<string, InboundOnIntegration>();
        for (const message of messages) {
          for (const holder of holders) {
            const holds =
              holder.platform === message.platform &&
              (message.platform === 'facebook' ? holder.pageId : holder.accountId) === message.accountId;
            const entry = { ...message, userId: holder.userId };
            if (holds && !candidates.has(keyOf(entry))) candidates.set(keyOf(entry), entry);
          }
        }
        if (candidates.size === 0) return 0;
        const inserted = await tx
          .insert(received)
          .values(
            [...candidates.values()].map(({ userId, platform, mid, sentAt }) => ({
              userId,
              platform,
              mid,
              receivedAt: sentAt,
            })),
          )
          .onConflictDoNothing()
          .returning({ userId: received.userId, platform: received.platform, mid: received.mid });
        const isNew = new Set(inserted.map(keyOf));
        // In the order the webhook listed them, which is the order their events are written in.
        const fresh = [...candidates.values()].filter((message) => isNew.has(keyOf(message)));
        await openWindows(tx, latestPerPerson(fresh));
        await insertEvents(tx, fresh.map(announce));
        return fresh.length;
      }),
    );
  }

  async purge(before: Date, limit: number): Promise<number> {
    // SKIP LOCKED: rows another purger holds are left to it (by the index on received_at).
    const doomed = this.db
      .select({ userId: received.userId, platform: received.platform, mid: received.mid })
      .from(received)
      .where(lt(received.receivedAt, before))
      .orderBy(asc(received.receivedAt))
      .limit(limit)
      .for('update', { skipLocked: true });
    const rows = await this.db
      .delete(received)
      .where(sql`(${received.userId}, ${received.platform}, ${received.mid}) in ${doomed}`)
      .returning({ mid: received.mid });
    return rows.length;
  }
}
