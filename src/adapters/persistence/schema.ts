import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from 'drizzle-orm/pg-core';

/**
 * The original design's table, column for column, plus `status_detail` and the token lifecycle columns
 * (`token_issued_at`, and the refresh job's schedule and lease), all with defaults so old rows stay valid.
 */
export const socialIntegrations = pgTable(
  'social_integrations',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    userId: varchar('user_id', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 32 }).notNull(),
    // `facebook` or `instagram` for Instagram (which login), `facebook` for Facebook, null otherwise.
    loginType: varchar('login_type', { length: 16 }),
    connectionStatus: varchar('connection_status', { length: 32 }).notNull().default('connected'),
    statusDetail: text('status_detail'),
    scopesGranted: jsonb('scopes_granted').$type<string[]>().default([]),
    accountId: varchar('account_id', { length: 255 }),
    pageId: varchar('page_id', { length: 255 }),
    businessId: varchar('business_id', { length: 255 }),
    // The app-scoped Meta user who connected it (Facebook Login): Meta's deauthorize and data deletion
    // callbacks name this id.
    metaUserId: varchar('meta_user_id', { length: 64 }),
    accessToken: text('access_token'),
    refreshToken: text('refresh_token'),
    // maskToken() of each token, written with it (at most 8 characters: **** and the last four).
    accessTokenMask: varchar('access_token_mask', { length: 8 }),
    refreshTokenMask: varchar('refresh_token_mask', { length: 8 }),
    tokenExpiresAt: timestamp('token_expires_at', { withTimezone: true }),
    tokenIssuedAt: timestamp('token_issued_at', { withTimezone: true }),
    lastVerifiedAt: timestamp('last_verified_at', { withTimezone: true }),
    emailAddress: varchar('email_address', { length: 320 }),
    smtpHost: varchar('smtp_host', { length: 255 }),
    smtpPort: integer('smtp_port'),
    smtpUsername: varchar('smtp_username', { length: 320 }),
    smtpPassword: text('smtp_password'),
    // Reading replies over IMAP: the login (the password sealed like smtp_password), where reading
    // stands (UIDVALIDITY and the last UID handled), and the poller's schedule and lease (null: no IMAP).
    imapHost: varchar('imap_host', { length: 255 }),
    imapPort: integer('imap_port'),
    imapUsername: varchar('imap_username', { length: 320 }),
    imapPassword: text('imap_password'),
    imapUidValidity: bigint('imap_uid_validity', { mode: 'number' }),
    imapLastUid: bigint('imap_last_uid', { mode: 'number' }),
    imapNextPollAt: timestamp('imap_next_poll_at', { withTimezone: true }),
    imapLeaseUntil: timestamp('imap_lease_until', { withTimezone: true }),
    imapLeaseToken: uuid('imap_lease_token'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    metadata: jsonb('metadata').$type<Record<string, unknown>>().default({}),
    // When the refresh job should next look at the row (null: never, until it is connected again).
    // Every insert or replace leaves it due now, so the job decides anew; old rows start due.
    nextCheckAt: timestamp('next_check_at', { withTimezone: true }).defaultNow(),
    // A claim by one refresh job: until `lease_until` only the holder of `lease_token` may write back.
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    leaseToken: uuid('lease_token'),
    refreshAttempts: integer('refresh_attempts').notNull().default(0),
    // The token_expires_at integration.expiring_soon was sent for; every save resets it (no default).
    expiryWarnedFor: timestamp('expiry_warned_for', { withTimezone: true }),
  },
  // The unique (user_id, platform) index also serves every lookup by user_id (its leading column),
  // so a separate user_id index would only slow writes.
  (table) => [
    uniqueIndex('social_integrations_user_platform_key').on(table.userId, table.platform),
    index('social_integrations_platform_idx').on(table.platform),
    index('social_integrations_next_check_at_idx')
      .on(table.nextCheckAt)
      .where(sql`${table.nextCheckAt} is not null`),
    index('social_integrations_imap_next_poll_at_idx')
      .on(table.imapNextPollAt)
      .where(sql`${table.imapNextPollAt} is not null`),
    // Meta's webhooks and callbacks name a Page, an Instagram account or a Meta user.
    index('social_integrations_meta_user_id_idx')
      .on(table.metaUserId)
      .where(sql`${table.metaUserId} is not null`),
    index('social_integrations_page_id_idx').on(table.pageId).where(sql`${table.pageId} is not null`),
    index('social_integrations_account_id_idx')
      .on(table.accountId)
      .where(sql`${table.accountId} is not null`),
  ],
);

export type IntegrationRow = typeof socialIntegrations.$inferSelect;

/** Started OAuth sign-ins: only the state's SHA-256 is kept, and each row is taken out once. */
export const oauthStates = pgTable(
  'oauth_states',
  {
    stateHash: varchar('state_hash', { length: 64 }).primaryKey(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 32 }).notNull(),
    redirectUri: text('redirect_uri').notNull(),
    loginType: varchar('login_type', { length: 16 }),
    codeVerifier: text('code_verifier'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (table) => [index('oauth_states_expires_at_idx').on(table.expiresAt)],
);

export type OAuthStateRow = typeof oauthStates.$inferSelect;

/**
 * Append-only (a trigger in the migration refuses UPDATE, DELETE and TRUNCATE): who did what to which
 * integration, and with what outcome. Identifiers and codes only, never a secret.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    requestId: varchar('request_id', { length: 255 }).notNull(),
    actor: varchar('actor', { length: 255 }),
    targetUserId: varchar('target_user_id', { length: 255 }),
    action: varchar('action', { length: 64 }).notNull(),
    outcome: varchar('outcome', { length: 16 }).notNull(),
    platform: varchar('platform', { length: 32 }),
    code: varchar('code', { length: 64 }),
    clientAddress: varchar('client_address', { length: 64 }).notNull(),
    revocation: varchar('revocation', { length: 16 }),
  },
  (table) => [index('audit_log_actor_id_idx').on(table.actor, table.id)],
);

export type AuditRow = typeof auditLog.$inferSelect;

/** One row per rate-limit key: the current window and its count (stale rows are purged as windows pass). */
export const rateLimitCounters = pgTable('rate_limit_counters', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  hits: integer('hits').notNull(),
});

/**
 * Outreach attempts that reached (or are reaching) their platform; never the text, subject or html.
 * `status` is `pending` while in flight, then `sent` or `failed`. The partial unique index is the
 * idempotency guarantee: one user's key belongs to at most one attempt that is in flight or sent.
 */
export const outreachMessages = pgTable(
  'outreach_messages',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    // The log's order and cursor: ids are random, times can tie.
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 32 }).notNull(),
    recipient: varchar('recipient', { length: 320 }).notNull(),
    status: varchar('status', { length: 16 }).notNull(),
    platformMessageId: text('platform_message_id'),
    errorCode: varchar('error_code', { length: 64 }),
    idempotencyKey: varchar('idempotency_key', { length: 255 }),
    // SHA-256 over the user, the key and the request: tells a replay from a reused key.
    requestHash: varchar('request_hash', { length: 64 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    sentAt: timestamp('sent_at', { withTimezone: true }),
  },
  (table) => [
    uniqueIndex('outreach_messages_idempotency_key')
      .on(table.userId, table.idempotencyKey)
      .where(sql`${table.idempotencyKey} is not null and ${table.status} <> 'failed'`),
    index('outreach_messages_user_seq_idx').on(table.userId, table.seq),
    // Finding which of ours an email answers or a bounce returns.
    index('outreach_messages_user_platform_message_id_idx')
      .on(table.userId, table.platformMessageId)
      .where(sql`${table.platformMessageId} is not null`),
  ],
);

export type OutreachMessageRow = typeof outreachMessages.$inferSelect;

/** Addresses (lower-cased) each user's outreach email must not go to, and why. */
export const outreachSuppressions = pgTable(
  'outreach_suppressions',
  {
    userId: varchar('user_id', { length: 255 }).notNull(),
    address: varchar('address', { length: 320 }).notNull(),
    reason: varchar('reason', { length: 16 }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.address] })],
);

/** Per person on a user's Meta account: when they last wrote, and when Meta last refused a reply. */
export const outreachWindows = pgTable(
  'outreach_windows',
  {
    userId: varchar('user_id', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 32 }).notNull(),
    recipient: varchar('recipient', { length: 64 }).notNull(),
    lastInboundAt: timestamp('last_inbound_at', { withTimezone: true }),
    closedAt: timestamp('closed_at', { withTimezone: true }),
    humanAgentClosedAt: timestamp('human_agent_closed_at', { withTimezone: true }),
  },
  (table) => [primaryKey({ columns: [table.userId, table.platform, table.recipient] })],
);

/** Each message from a person a Meta webhook brought, by its `mid`: a redelivery finds it here. */
export const metaReceivedMessages = pgTable(
  'meta_received_messages',
  {
    userId: varchar('user_id', { length: 255 }).notNull(),
    platform: varchar('platform', { length: 32 }).notNull(),
    mid: text('mid').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.platform, table.mid] }),
    // The retention purge takes the oldest first.
    index('meta_received_messages_received_at_idx').on(table.receivedAt),
  ],
);

/** Meta data deletion requests carried out, for the status page: what went, and when; no Meta user id. */
export const metaDataDeletions = pgTable('meta_data_deletions', {
  confirmationCode: varchar('confirmation_code', { length: 64 }).primaryKey(),
  requestedAt: timestamp('requested_at', { withTimezone: true }).notNull(),
  platforms: jsonb('platforms').$type<string[]>().notNull(),
});

/** Emails each user sent (or is sending) per UTC day, for OUTREACH_EMAIL_DAILY_LIMIT. */
export const emailDailySends = pgTable(
  'email_daily_sends',
  {
    userId: varchar('user_id', { length: 255 }).notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    sent: integer('sent').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.day] })],
);

/**
 * The transactional outbox: each event is inserted in the transaction of the change it reports, so it
 * exists exactly when that change committed. `data` is stored as the API shows it.
 */
export const outboxEvents = pgTable(
  'outbox_events',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    // Order and cursor: ids are random, times can tie.
    position: bigint('position', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    userId: varchar('user_id', { length: 255 }).notNull(),
    type: varchar('type', { length: 64 }).notNull(),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
    data: jsonb('data').$type<Record<string, unknown>>().notNull(),
    // Whether the delivery job has given the event its webhook deliveries (one per endpoint).
    queued: boolean('queued').notNull().default(false),
  },
  (table) => [
    index('outbox_events_user_position_idx').on(table.userId, table.position),
    index('outbox_events_occurred_at_idx').on(table.occurredAt),
    index('outbox_events_unqueued_idx').on(table.position).where(sql`not ${table.queued}`),
  ],
);

export type OutboxEventRow = typeof outboxEvents.$inferSelect;

/** One event's delivery to one endpoint: the webhook queue, leased like the refresh queue. */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    eventId: uuid('event_id')
      .notNull()
      .references(() => outboxEvents.id, { onDelete: 'cascade' }),
    endpoint: varchar('endpoint', { length: 2048 }).notNull(),
    status: varchar('status', { length: 16 }).notNull().default('pending'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    leaseToken: uuid('lease_token'),
    lastError: varchar('last_error', { length: 64 }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.eventId, table.endpoint] }),
    index('webhook_deliveries_due_idx').on(table.nextAttemptAt).where(sql`${table.status} = 'pending'`),
    index('webhook_deliveries_failed_idx').on(table.eventId).where(sql`${table.status} = 'failed'`),
  ],
);
