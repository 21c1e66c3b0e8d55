import { z } from 'zod';
import type { InboundMessage } from '../../application/ports/inbound-message-store.js';

// Meta's webhook body, read from `unknown` one item at a time: an item of a kind not read here (a read
// receipt, a reaction, an edit) or of an unexpected shape is passed over, never the whole delivery.

// Meta sends ids as strings: a JSON number this long would already have lost digits when parsed.
const digits = z.string().regex(/^\d{1,64}$/);

const Delivery = z.object({ object: z.string(), entry: z.array(z.unknown()) });

const Entry = z.object({ id: digits, messaging: z.array(z.unknown()).optional() });

const MessagingItem = z.object({
  sender: z.object({ id: digits }),
  timestamp: z.number().int().nonnegative(),
  message: z.object({
    mid: z.string().min(1).max(2000),
    text: z.string().optional(),
    is_echo: z.boolean().optional(),
    is_deleted: z.boolean().optional(),
  }),
});

const PLATFORM_BY_OBJECT: Readonly<Record<string, InboundMessage['platform']>> = {
  page: 'facebook',
  instagram: 'instagram',
};

/**
 * The messages people sent in a webhook delivery (`object` `page` or `instagram`): each `entry[].messaging[]`
 * item with a `message` that is not an echo of the account's own, not an unsend, and not from the account.
 */
export function inboundMessages(body: unknown): InboundMessage[] {
  const delivery = Delivery.safeParse(body);
  if (!delivery.success || !Object.hasOwn(PLATFORM_BY_OBJECT, delivery.data.object)) return [];
  const platform = PLATFORM_BY_OBJECT[delivery.data.object];
  if (platform === undefined) return [];
  const messages: InboundMessage[] = [];
  for (const candidate of delivery.data.entry) {
    const entry = Entry.safeParse(candidate);
    if (!entry.success) continue;
    for (const raw of entry.data.messaging ?? []) {
      const item = MessagingItem.safeParse(raw);
      if (!item.success) continue;
      const { sender, timestamp, message } = item.data;
      if (message.is_echo === true || message.is_deleted === true || sender.id === entry.data.id) continue;
      messages.push({
        platform,
        accountId: entry.data.id,
        sender: sender.id,
        mid: message.mid,
        text: message.text ?? null,
        sentAt: new Date(timestamp),
      });
    }
  }
  return messages;
}
