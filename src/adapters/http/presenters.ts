import type { IntegrationView } from '../../application/integration-view.js';
import type { EventPage, WireFormat } from '../../application/ports/event-outbox.js';
import type { AuditPage } from '../../application/use-cases/list-audit-entries.js';
import type { ValidationOutcome } from '../../application/use-cases/validate-integration.js';
import type { Capability } from '../../domain/capability-policy.js';
import { messageJson } from './outreach-presenters.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function integrationJson(view: IntegrationView) {
  return {
    id: view.id,
    user_id: view.userId,
    platform: view.platform,
    login_type: view.loginType,
    connection_status: view.connectionStatus,
    status_detail: view.statusDetail,
    scopes_granted: [...view.scopesGranted],
    account_id: view.accountId,
    page_id: view.pageId,
    business_id: view.businessId,
    access_token: view.accessToken,
    refresh_token: view.refreshToken,
    token_expires_at: iso(view.tokenExpiresAt),
    last_verified_at: iso(view.lastVerifiedAt),
    email_address: view.smtp?.emailAddress ?? null,
    smtp_host: view.smtp?.host ?? null,
    smtp_port: view.smtp?.port ?? null,
    smtp_username: view.smtp?.username ?? null,
    smtp_password: view.smtpPassword,
    imap_host: view.imap?.host ?? null,
    imap_port: view.imap?.port ?? null,
    imap_username: view.imap?.username ?? null,
    imap_password: view.imapPassword,
    metadata: { ...view.metadata },
    created_at: view.createdAt.toISOString(),
    updated_at: view.updatedAt.toISOString(),
  };
}

export function capabilityJson(capability: Capability) {
  return {
    platform: capability.platform,
    is_connected: capability.isConnected,
    connection_status: capability.connectionStatus,
    can_send_dm: capability.canSendDm,
    can_discover: capability.canDiscover,
    can_read_messages: capability.canReadMessages,
    reason: capability.reason,
    reason_code: capability.reasonCode,
    missing_scopes: [...capability.missingScopes],
    limitations: [...capability.limitations],
  };
}

/** What events carry, in the same shapes as the responses. */
export const wireFormat: WireFormat = {
  integration: integrationJson,
  capability: capabilityJson,
  message: messageJson,
};

export function validationJson(outcome: ValidationOutcome) {
  return { valid: outcome.valid, detail: outcome.detail, integration: integrationJson(outcome.integration) };
}

export function auditPageJson(page: AuditPage) {
  return {
    entries: page.entries.map((entry) => ({
      id: String(entry.id),
      occurred_at: entry.occurredAt.toISOString(),
      action: entry.action,
      outcome: entry.outcome,
      platform: entry.platform,
      code: entry.code,
      revocation: entry.revocation,
      target_user_id: entry.targetUserId,
      request_id: entry.requestId,
      client_address: entry.clientAddress,
    })),
    next_cursor: page.nextCursor === null ? null : String(page.nextCursor),
  };
}

export function eventPageJson(page: EventPage) {
  return {
    events: page.events.map((event) => ({
      id: event.id,
      type: event.type,
      timestamp: event.occurredAt.toISOString(),
      data: event.data,
    })),
    next_cursor: page.next === null ? null : String(page.next),
  };
}
