import type { ImapFlow } from 'imapflow';
import { simpleParser } from 'mailparser';
import type {
  ImapLogin,
  InboundMail,
  MailboxPosition,
  MailboxRead,
  MailboxReader,
} from '../../../application/ports/mailbox-reader.js';
import { ok, type Result } from '../../../domain/result.js';
import { CheckedImapConnector, type ImapConnectionOptions } from './checked-imap-session.js';
import { parseDeliveryReport } from './delivery-report.js';

/** Messages larger than this are passed over unread: no reply or report needs it, and parsing costs memory. */
const MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

const PARSE_OPTIONS = {
  keepDeliveryStatus: true,
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
} as const;

async function position(client: ImapFlow): Promise<MailboxPosition> {
  const inbox = await client.mailboxOpen('INBOX', { readOnly: true });
  return { uidValidity: Number(inbox.uidValidity), lastUid: Math.max(0, inbox.uidNext - 1) };
}

const asList = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : value.split(/\s+/).filter(Boolean);

/** What the poller needs of one raw message, parsed with mailparser. */
export async function parseInboundMail(uid: number, source: Buffer, arrivedAt: Date): Promise<InboundMail> {
  const parsed = await simpleParser(source, PARSE_OPTIONS);
  const type = parsed.headers.get('content-type') as
    | { value?: string; params?: Record<string, string> }
    | undefined;
  const isReport =
    type?.value?.toLowerCase() === 'multipart/report' &&
    type.params?.['report-type']?.toLowerCase() === 'delivery-status';
  let deliveryReport: InboundMail['deliveryReport'] = null;
  if (isReport) {
    const status = parsed.attachments.find((part) => part.contentType === 'message/delivery-status');
    const returned = parsed.attachments.find(
      (part) => part.contentType === 'message/rfc822' || part.contentType === 'text/rfc822-headers',
    );
    const original = returned === undefined ? null : await simpleParser(returned.content, PARSE_OPTIONS);
    deliveryReport = parseDeliveryReport(status?.content.toString('utf8') ?? '', original?.messageId ?? null);
  }
  return {
    uid,
    messageId: parsed.messageId ?? null,
    answers: [...asList(parsed.inReplyTo), ...asList(parsed.references)],
    sender: parsed.from?.value[0]?.address ?? null,
    text: parsed.text ?? '',
    receivedAt: parsed.date ?? arrivedAt,
    deliveryReport,
  };
}

/** Reads INBOX over a checked imapflow session (see {@link CheckedImapConnector}), read-only. */
export class ImapflowMailboxReader implements MailboxReader {
  private readonly connector: CheckedImapConnector;

  constructor(private readonly options: ImapConnectionOptions) {
    this.connector = new CheckedImapConnector(options);
  }

  verify(login: ImapLogin): Promise<Result<MailboxPosition>> {
    return this.connector.session(login, async (client) => ok(await position(client)));
  }

  read(
    login: ImapLogin,
    from: MailboxPosition,
    limit: number,
    handle: (mail: InboundMail) => Promise<boolean>,
  ): Promise<Result<MailboxRead>> {
    // Each message may take a fetch of its own; the session as a whole is bounded accordingly.
    const longer = limit * this.options.timeoutMs;
    return this.connector.session<MailboxRead>(
      login,
      async (client) => {
        const now = await position(client);
        if (now.uidValidity !== from.uidValidity) return ok({ kind: 'renumbered', position: now });
        if (now.lastUid <= from.lastUid) return ok({ kind: 'read', position: from });
        const pending: { uid: number; size: number; arrivedAt: Date }[] = [];
        for await (const message of client.fetch(
          `${from.lastUid + 1}:*`,
          { uid: true, size: true, internalDate: true },
          { uid: true },
        )) {
          // `n:*` also answers the last message when no UID is above n.
          if (message.uid > from.lastUid) {
            const internal = message.internalDate;
            pending.push({
              uid: message.uid,
              size: message.size ?? 0,
              arrivedAt: internal instanceof Date ? internal : new Date(internal ?? Date.now()),
            });
          }
        }
        pending.sort((a, b) => a.uid - b.uid);
        let reached = from;
        for (const { uid, size, arrivedAt } of pending.slice(0, limit)) {
          const source =
            size > MAX_MESSAGE_BYTES
              ? null
              : await client.fetchOne(String(uid), { source: true }, { uid: true });
          const mail =
            source === false || source === null || source.source === undefined
              ? {
                  uid,
                  messageId: null,
                  answers: [],
                  sender: null,
                  text: '',
                  receivedAt: arrivedAt,
                  deliveryReport: null,
                }
              : await parseInboundMail(uid, source.source, arrivedAt);
          if (!(await handle(mail))) break;
          reached = { uidValidity: from.uidValidity, lastUid: uid };
        }
        return ok({ kind: 'read', position: reached });
      },
      longer,
    );
  }
}
