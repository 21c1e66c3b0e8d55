import type { DeliveryReport, ReportedRecipient } from '../../../domain/inbound-mail.js';

/** The field blocks of a `message/delivery-status` body (RFC 3464): unfolded, split at blank lines. */
function fieldBlocks(body: string): Map<string, string>[] {
  return body
    .replace(/\r?\n[ \t]+/g, ' ')
    .split(/\r?\n\s*\r?\n/)
    .map((block) => {
      const fields = new Map<string, string>();
      for (const line of block.split(/\r?\n/)) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}

/** `rfc822; Someone@Example.org` → `Someone@Example.org`; other address types are not email addresses. */
function rfc822Address(value: string | undefined): string | null {
  const match = /^rfc822\s*;\s*<?([^<>\s]+)>?$/i.exec(value ?? '');
  return match?.[1] ?? null;
}

/** The per-recipient blocks of a delivery-status body, with the returned original's Message-ID. */
export function parseDeliveryReport(body: string, originalMessageId: string | null): DeliveryReport {
  const recipients: ReportedRecipient[] = fieldBlocks(body)
    .filter((fields) => fields.has('final-recipient') || fields.has('original-recipient'))
    .map((fields) => ({
      finalRecipient: rfc822Address(fields.get('final-recipient')),
      originalRecipient: rfc822Address(fields.get('original-recipient')),
      action: fields.get('action') ?? null,
      status: /^\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0] ?? null,
    }));
  return { originalMessageId, recipients };
}
