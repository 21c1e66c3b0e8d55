import type { ErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';

/** What happened. Issues that add operations (OAuth, refresh, key rotation) add their actions here. */
export const AUDIT_ACTIONS = [
  'integration.create',
  'integration.update',
  /** A save that failed before it was known whether it would create or update. */
  'integration.save',
  'integration.validate',
  'integration.delete',
  'oauth.start',
  'oauth.callback',
  /** One outreach send attempt, whatever its outcome. */
  'outreach.send',
  'request.denied',
  'request.rate_limited',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;

export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

/**
 * What a delete did at the platform: `revoked`; `failed` (refused, timed out, down: `code` says why);
 * `not_offered` (SMTP, or a stored Meta Page token, which cannot revoke); `kept_shared` (a Meta user token
 * left alone because the user's other Meta integration relies on the same grant).
 */
export const REVOCATION_OUTCOMES = ['revoked', 'failed', 'not_offered', 'kept_shared'] as const;

export type RevocationOutcome = (typeof REVOCATION_OUTCOMES)[number];

/** One entry. Every field is an identifier or a code: an entry never carries a secret or free text. */
export interface AuditEvent {
  readonly action: AuditAction;
  readonly outcome: AuditOutcome;
  /** The authenticated user who acted; null when the request was not authenticated. */
  readonly actor: string | null;
  /** The user whose integrations were concerned, when it differs from the actor or there is no actor. */
  readonly targetUserId: string | null;
  readonly platform: Platform | null;
  /** Why it failed or was denied; for a delete whose revoke failed, why the revoke failed. */
  readonly code: ErrorCode | null;
  /** For a delete that removed an integration: what became of its token at the platform; null otherwise. */
  readonly revocation: RevocationOutcome | null;
  readonly requestId: string;
  readonly clientAddress: string;
}

export interface AuditRecord extends AuditEvent {
  readonly id: number;
  /** UTC, set by the store. */
  readonly occurredAt: Date;
}

/** An append-only record of who did what to which integration, with what outcome. */
export interface AuditLog {
  append(event: AuditEvent): Promise<void>;
  /** The actor's entries, newest first; `before` is the id of the last entry of the previous page. */
  listByActor(
    actor: string,
    page: { readonly limit: number; readonly before: number | null },
  ): Promise<AuditRecord[]>;
}
