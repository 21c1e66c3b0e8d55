import type { MessageRecord } from '../../application/ports/message-log.js';
import type { Suppression } from '../../application/ports/suppression-list.js';
import type { RecipientCheck } from '../../application/use-cases/check-recipient.js';

const iso = (date: Date | null) => date?.toISOString() ?? null;

export function messageJson(message: MessageRecord) {
  return {
    id: message.id,
    user_id: message.userId,
    platform: message.platform,
    recipient: message.recipient,
    status: message.status,
    platform_message_id: message.platformMessageId,
    error_code: message.errorCode,
    idempotency_key: message.idempotencyKey,
    created_at: message.createdAt.toISOString(),
    sent_at: iso(message.sentAt),
  };
}

export function recipientCheckJson(check: RecipientCheck) {
  return {
    platform: check.platform,
    recipient: check.recipient,
    can_send: check.canSend,
    reason_code: check.reasonCode,
    reason: check.reason,
    window: check.window,
    window_closes_at: iso(check.windowClosesAt),
    human_agent_until: iso(check.humanAgentUntil),
    suppressed: check.suppressed,
    sent_today: check.sentToday,
    daily_limit: check.dailyLimit,
  };
}

export function suppressionJson(suppression: Suppression) {
  return {
    address: suppression.address,
    reason: suppression.reason,
    created_at: suppression.createdAt.toISOString(),
  };
}
