import { z } from '@hono/zod-openapi';
import { ERROR_CODES } from '../../domain/errors.js';
import { MESSAGE_STATUSES, SUPPRESSION_REASONS, WINDOW_STATES } from '../../domain/outreach.js';
import { PLATFORMS } from '../../domain/platform.js';
import { PageQuery } from './schemas.js';

const noLineBreaks = /^[^\r\n]*$/;

export const RecipientId = z
  .string()
  .regex(/^[0-9]{1,64}$/, 'recipient_id must be the PSID or IGSID: 1 to 64 digits');

export const EmailAddress = (field: string) => z.email(`${field} must be an email address`).max(320);

export const MetaMessageRequest = z
  .strictObject({
    recipient_id: RecipientId,
    text: z.string().min(1, 'text must not be empty').max(1000, 'text must be at most 1000 characters'),
    tag: z.literal('HUMAN_AGENT', 'tag must be HUMAN_AGENT (no other tag is accepted)').optional(),
  })
  .openapi('MetaMessageRequest');

export const EmailMessageRequest = z
  .strictObject({
    to: EmailAddress('to'),
    subject: z
      .string()
      .min(1, 'subject must not be empty')
      .max(998, 'subject must be at most 998 characters')
      .regex(noLineBreaks, 'subject must not contain line breaks'),
    text: z.string().min(1, 'text must not be empty'),
    html: z.string().min(1, 'html must not be empty').optional(),
    reply_to: EmailAddress('reply_to').optional(),
  })
  .openapi('EmailMessageRequest');

/**
 * What the OpenAPI description shows for a send; the handler checks the body with the platform's own
 * schema (nothing for TikTok, which is always refused).
 */
export const MessageRequest = z.record(z.string(), z.unknown()).openapi('MessageRequest', {
  description:
    'instagram, facebook: {"recipient_id": "<1-64 digits>", "text": "<1-1000 characters>", "tag": "HUMAN_AGENT" (optional)}. email: {"to", "subject" (1-998 characters, no line breaks), "text", "html" (optional), "reply_to" (optional)}.',
});

/** 1 to 255 visible ASCII characters. */
export const IdempotencyKey = z
  .string()
  .regex(/^[\x21-\x7e]{1,255}$/, 'Idempotency-Key must be 1 to 255 visible ASCII characters');

export const MessagePlatformParam = z.object({
  platform: z.enum(PLATFORMS).openapi({ param: { name: 'platform', in: 'path' } }),
});

export const RecipientParam = MessagePlatformParam.extend({
  recipient: z.string().openapi({
    param: { name: 'recipient', in: 'path' },
    description: 'The PSID or IGSID, or for email the URL-encoded address.',
  }),
});

export const AddressParam = z.object({
  address: z.string().openapi({ param: { name: 'address', in: 'path' }, description: 'URL-encoded.' }),
});

export const MessageListQuery = PageQuery.extend({
  platform: z.enum(PLATFORMS, 'platform must be one of instagram, facebook, tiktok, email').optional(),
});

const timestamp = z.iso.datetime().nullable();

export const MessageResponse = z
  .object({
    id: z.uuid(),
    user_id: z.string(),
    platform: z.enum(PLATFORMS),
    recipient: z.string(),
    status: z.enum(MESSAGE_STATUSES),
    platform_message_id: z.string().nullable(),
    error_code: z.enum(ERROR_CODES).nullable(),
    idempotency_key: z.string().nullable(),
    created_at: z.iso.datetime(),
    sent_at: timestamp,
  })
  .openapi('MessageResponse');

export const MessageListResponse = z
  .object({
    messages: z.array(MessageResponse),
    next_cursor: z.string().nullable().openapi({ description: 'Pass as `cursor` for the next page.' }),
  })
  .openapi('MessageList');

export const RecipientCheckResponse = z
  .object({
    platform: z.enum(PLATFORMS),
    recipient: z.string(),
    can_send: z.boolean(),
    reason_code: z.enum(ERROR_CODES).nullable(),
    reason: z.string().nullable(),
    window: z.enum(WINDOW_STATES).nullable(),
    window_closes_at: timestamp,
    human_agent_until: timestamp,
    suppressed: z.boolean(),
    sent_today: z.number().int().nullable(),
    daily_limit: z.number().int().nullable(),
  })
  .openapi('RecipientCheck');

export const SuppressionListResponse = z
  .object({
    suppressions: z.array(
      z.object({ address: z.string(), reason: z.enum(SUPPRESSION_REASONS), created_at: z.iso.datetime() }),
    ),
  })
  .openapi('SuppressionList');
