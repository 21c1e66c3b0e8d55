import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import type {
  EmailRecipientFacts,
  MetaRecipientFacts,
  MetaSendFacts,
  RecipientFacts,
} from '../../application/ports/recipient-facts.js';
import type { CapabilityFacts } from '../../domain/capability-policy.js';
import type { MetaMessagingPlatform } from '../../domain/outreach.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { capabilityColumns, toCapabilityFacts, toIntegration } from './row-mapping.js';
import {
  emailDailySends,
  type IntegrationRow,
  outreachSuppressions,
  outreachWindows,
  socialIntegrations,
} from './schema.js';

// The tables under their own names, not alias()es: an aliased column is a Proxy, and mapping a row through
// proxies cost more per execution (about 5 µs for the Meta statement) than the longer text they save.
type CapabilityColumns = { [K in keyof typeof capabilityColumns]: unknown };

// Left-joined, every integration column reads null when the user has no integration on the platform;
// `platform` is NOT NULL in the table, so it tells the two apart.
const integrationOf = (row: CapabilityColumns): CapabilityFacts | null =>
  row.platform === null ? null : toCapabilityFacts(row as Parameters<typeof toCapabilityFacts>[0]);

const windowColumns = {
  lastInboundAt: outreachWindows.lastInboundAt,
  closedAt: outreachWindows.closedAt,
  humanAgentClosedAt: outreachWindows.humanAgentClosedAt,
};

/** A column of the one-row `a` (arguments) the statements start from: each parameter is bound once. */
const arg = (name: string) => sql.raw(`"a"."${name}"`);

/**
 * The pre-check's facts in one prepared statement each: from a one-row base holding the parameters, so the
 * answer is one row whether or not anything is stored, left joins of the integration row's capability
 * columns and the recipient's window, or its suppression and today's count. Each join is a primary-key or
 * (user_id, platform) index probe, so it adds at most one row; plain columns, not SQL expressions, because
 * drizzle maps an expression's value through a slower path.
 */
export class DrizzleRecipientFacts implements RecipientFacts {
  private readonly metaQuery;
  private readonly metaSendQuery;
  private readonly emailQuery;

  constructor(db: Database) {
    const userId = sql.placeholder('userId');
    // The integration's columns as `select` names them, and the person's window.
    const metaFacts = <T extends SelectedFields>(integration: T, name: string) =>
      db
        .select({ ...integration, ...windowColumns })
        .from(
          sql`(select ${userId}::text as "user_id", ${sql.placeholder('platform')}::text as "platform", ${sql.placeholder('recipient')}::text as "recipient") as "a"`,
        )
        .leftJoin(
          socialIntegrations,
          and(
            eq(socialIntegrations.userId, arg('user_id')),
            eq(socialIntegrations.platform, arg('platform')),
          ),
        )
        .leftJoin(
          outreachWindows,
          and(
            eq(outreachWindows.userId, arg('user_id')),
            eq(outreachWindows.platform, arg('platform')),
            eq(outreachWindows.recipient, arg('recipient')),
          ),
        )
        .prepare(name);
    this.metaQuery = metaFacts(capabilityColumns, 'recipient_facts_meta');
    this.metaSendQuery = metaFacts(getTableColumns(socialIntegrations), 'send_facts_meta');
    this.emailQuery = db
      .select({
        ...capabilityColumns,
        suppressedAddress: outreachSuppressions.address,
        sentToday: emailDailySends.sent,
      })
      .from(
        // The day is bound as text: a parameter PostgreSQL types as date makes postgres.js parse the string
        // into a Date and print it back on every execution.
        sql`(select ${userId}::text as "user_id", ${sql.placeholder('address')}::text as "address", ${sql.placeholder('day')}::text::date as "day") as "a"`,
      )
      .leftJoin(
        socialIntegrations,
        and(eq(socialIntegrations.userId, arg('user_id')), sql`${socialIntegrations.platform} = 'email'`),
      )
      .leftJoin(
        outreachSuppressions,
        and(
          eq(outreachSuppressions.userId, arg('user_id')),
          eq(outreachSuppressions.address, arg('address')),
        ),
      )
      .leftJoin(
        emailDailySends,
        and(eq(emailDailySends.userId, arg('user_id')), eq(emailDailySends.day, arg('day'))),
      )
      .prepare('recipient_facts_email');
  }

  async forMeta(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
  ): Promise<MetaRecipientFacts> {
    const [row] = await reachable(() => this.metaQuery.execute({ userId, platform, recipient }));
    if (row === undefined) throw new Error('The recipient facts query returned no row');
    const { lastInboundAt, closedAt, humanAgentClosedAt } = row;
    return { integration: integrationOf(row), window: { lastInboundAt, closedAt, humanAgentClosedAt } };
  }

  async forMetaSend(
    userId: string,
    platform: MetaMessagingPlatform,
    recipient: string,
  ): Promise<MetaSendFacts> {
    const [row] = await reachable(() => this.metaSendQuery.execute({ userId, platform, recipient }));
    if (row === undefined) throw new Error('The send facts query returned no row');
    const { lastInboundAt, closedAt, humanAgentClosedAt, ...integration } = row;
    return {
      integration: integration.platform === null ? null : toIntegration(integration as IntegrationRow),
      window: { lastInboundAt, closedAt, humanAgentClosedAt },
    };
  }

  async forEmail(userId: string, address: string, day: string): Promise<EmailRecipientFacts> {
    const [row] = await reachable(() => this.emailQuery.execute({ userId, address, day }));
    if (row === undefined) throw new Error('The recipient facts query returned no row');
    return {
      integration: integrationOf(row),
      suppressed: row.suppressedAddress !== null,
      sentToday: row.sentToday ?? 0,
    };
  }
}
