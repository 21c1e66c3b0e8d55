import type { CapabilityFacts } from '../../domain/capability-policy.js';
import {
  CONNECTION_STATUSES,
  type ConnectionStatus,
  type EncryptedSecret,
  type Integration,
  type IntegrationDraft,
} from '../../domain/integration.js';
import { LOGIN_TYPES, type LoginType } from '../../domain/login.js';
import { isPlatform } from '../../domain/platform.js';
import { type IntegrationRow, socialIntegrations } from './schema.js';

// Rows may come from the earlier Python service, so JSON columns are read defensively.
function readScopes(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((scope): scope is string => typeof scope === 'string') : [];
}

function readMetadata(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function readStatus(value: string): ConnectionStatus {
  return (CONNECTION_STATUSES as readonly string[]).includes(value) ? (value as ConnectionStatus) : 'error';
}

/** A value this service does not know reads as no login: capabilities then fall back to the platform's default. */
export function readLoginType(value: string | null): LoginType | null {
  return (LOGIN_TYPES as readonly (string | null)[]).includes(value) ? (value as LoginType) : null;
}

const sealed = (value: string | null) => value as EncryptedSecret | null;

export function toIntegration(row: IntegrationRow): Integration {
  const hasSmtp = row.smtpHost !== null && row.smtpPort !== null;
  return {
    id: row.id,
    userId: row.userId,
    ...toCapabilityFacts(row),
    businessId: row.businessId,
    metaUserId: row.metaUserId,
    accessToken: sealed(row.accessToken),
    refreshToken: sealed(row.refreshToken),
    accessTokenMask: row.accessTokenMask,
    refreshTokenMask: row.refreshTokenMask,
    tokenIssuedAt: row.tokenIssuedAt,
    lastVerifiedAt: row.lastVerifiedAt,
    expiryWarnedFor: row.expiryWarnedFor,
    smtp: hasSmtp
      ? {
          emailAddress: row.emailAddress ?? '',
          host: row.smtpHost ?? '',
          port: row.smtpPort ?? 0,
          username: row.smtpUsername ?? '',
        }
      : null,
    smtpPassword: sealed(row.smtpPassword),
    imapPassword: sealed(row.imapPassword),
    metadata: readMetadata(row.metadata),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The columns capabilities are decided from (no secrets), as `toCapabilityFacts` reads them. */
export const capabilityColumns = {
  platform: socialIntegrations.platform,
  loginType: socialIntegrations.loginType,
  connectionStatus: socialIntegrations.connectionStatus,
  statusDetail: socialIntegrations.statusDetail,
  scopesGranted: socialIntegrations.scopesGranted,
  accountId: socialIntegrations.accountId,
  pageId: socialIntegrations.pageId,
  tokenExpiresAt: socialIntegrations.tokenExpiresAt,
  imapHost: socialIntegrations.imapHost,
  imapPort: socialIntegrations.imapPort,
  imapUsername: socialIntegrations.imapUsername,
};

type CapabilityRow = Pick<IntegrationRow, keyof typeof capabilityColumns>;

export function toCapabilityFacts(row: CapabilityRow): CapabilityFacts {
  if (!isPlatform(row.platform))
    throw new Error(`Unknown platform in a social_integrations row: ${row.platform}`);
  return {
    platform: row.platform,
    loginType: readLoginType(row.loginType),
    connectionStatus: readStatus(row.connectionStatus),
    statusDetail: row.statusDetail,
    scopesGranted: readScopes(row.scopesGranted),
    accountId: row.accountId,
    pageId: row.pageId,
    tokenExpiresAt: row.tokenExpiresAt,
    imap:
      row.imapHost !== null && row.imapPort !== null
        ? { host: row.imapHost, port: row.imapPort, username: row.imapUsername ?? '' }
        : null,
  };
}

export function toRow(draft: IntegrationDraft): typeof socialIntegrations.$inferInsert {
  return {
    userId: draft.userId,
    platform: draft.platform,
    loginType: draft.loginType,
    connectionStatus: draft.connectionStatus,
    statusDetail: draft.statusDetail,
    scopesGranted: [...draft.scopesGranted],
    accountId: draft.accountId,
    pageId: draft.pageId,
    businessId: draft.businessId,
    metaUserId: draft.metaUserId,
    accessToken: draft.accessToken,
    refreshToken: draft.refreshToken,
    accessTokenMask: draft.accessTokenMask,
    refreshTokenMask: draft.refreshTokenMask,
    tokenExpiresAt: draft.tokenExpiresAt,
    tokenIssuedAt: draft.tokenIssuedAt,
    lastVerifiedAt: draft.lastVerifiedAt,
    emailAddress: draft.smtp?.emailAddress ?? null,
    smtpHost: draft.smtp?.host ?? null,
    smtpPort: draft.smtp?.port ?? null,
    smtpUsername: draft.smtp?.username ?? null,
    smtpPassword: draft.smtpPassword,
    imapHost: draft.imap?.host ?? null,
    imapPort: draft.imap?.port ?? null,
    imapUsername: draft.imap?.username ?? null,
    imapPassword: draft.imapPassword,
    imapUidValidity: draft.imapStart?.uidValidity ?? null,
    imapLastUid: draft.imapStart?.lastUid ?? null,
    // A mailbox just checked is read at the poller's next pass.
    imapNextPollAt: draft.imap === null ? null : new Date(0),
    metadata: { ...draft.metadata },
  };
}
