import type { Platform } from '../domain/platform.js';

/** Every kind of event the service tells the product about (docs/events.md describes each one's data). */
export const EVENT_TYPES = [
  'integration.connected',
  'integration.updated',
  'integration.status_changed',
  'integration.capability_changed',
  'integration.expiring_soon',
  'integration.deleted',
  'message.sent',
  'message.failed',
  'message.received',
  'recipient.suppressed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** An event to write with the change it reports; `data` is already in the shape the API shows. */
export interface NewEvent {
  readonly type: EventType;
  readonly userId: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface StoredEvent extends NewEvent {
  /** The Standard Webhooks `webhook-id`: the same on every attempt and every endpoint. */
  readonly id: string;
  readonly occurredAt: Date;
  /** Commit-independent order of writing; the pull API's cursor. */
  readonly position: number;
}

/** `recipient.suppressed`: an email address the user's outreach will no longer send to. */
export function recipientSuppressed(userId: string, recipient: string, reason: string): NewEvent {
  return {
    type: 'recipient.suppressed',
    userId,
    data: { user_id: userId, platform: 'email', recipient, reason },
  };
}

/** What `message.received` says of a message a person sent; `inReplyTo` is our message's id, or null. */
export interface ReceivedMessage {
  readonly platform: Platform;
  readonly sender: string | null;
  readonly platformMessageId: string | null;
  /** Null for a message without text (a Meta attachment). */
  readonly text: string | null;
  readonly receivedAt: Date;
  readonly inReplyTo: string | null;
}

/** `message.received`: a platform webhook or IMAP brought a message from a person. */
export function messageReceived(userId: string, message: ReceivedMessage): NewEvent {
  return {
    type: 'message.received',
    userId,
    data: {
      user_id: userId,
      platform: message.platform,
      sender: message.sender,
      platform_message_id: message.platformMessageId,
      text: message.text,
      received_at: message.receivedAt.toISOString(),
      in_reply_to: message.inReplyTo,
    },
  };
}
