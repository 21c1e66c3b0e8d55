import { type MailboxPosition, permanentlyFailed } from '../../domain/inbound-mail.js';
import { ok } from '../../domain/result.js';
import { withStoredSecrets } from '../credential-check.js';
import { errorFields } from '../error-fields.js';
import { messageReceived, recipientSuppressed } from '../events.js';
import type { Clock } from '../ports/clock.js';
import { DatabaseUnavailable } from '../ports/database-unavailable.js';
import type { Logger } from '../ports/logger.js';
import {
  type ClaimedMailbox,
  type MailboxPolls,
  type MailEffect,
  NO_EFFECT,
} from '../ports/mailbox-polls.js';
import type { InboundMail, MailboxReader } from '../ports/mailbox-reader.js';
import type { SecretCipher } from '../ports/secret-cipher.js';

export interface MailboxPollSettings {
  /** How long after a pass a mailbox is read again (IMAP_POLL_SECONDS). */
  readonly intervalMs: number;
  /** Mailboxes one claim takes; they are read at the same time. */
  readonly batchSize: number;
  /** Messages read from one mailbox per pass; the rest wait for the next. */
  readonly messagesPerRead: number;
  /** How long a claim lasts: longer than reading `messagesPerRead` messages can take. */
  readonly leaseMs: number;
}

export interface PollMailboxesDeps {
  readonly mailboxes: MailboxPolls;
  readonly reader: MailboxReader;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: MailboxPollSettings;
}

export interface PollReport {
  /** Mailboxes read (or whose starting position was taken). */
  readonly read: number;
  /** Replies to our messages: `message.received`. */
  readonly received: number;
  /** Permanent-failure reports for our messages: the recipient suppressed as `bounced`. */
  readonly bounced: number;
  /** Other messages: passed over, once. */
  readonly ignored: number;
  /** Mailboxes whose login or reading failed; tried again at the next interval. */
  readonly failed: number;
  /** Mailboxes whose claim was lost while reading; another instance goes on from where this one stopped. */
  readonly leaseLost: number;
}

type Tally = { -readonly [K in keyof PollReport]: PollReport[K] };

const emptyTally = (): Tally => ({ read: 0, received: 0, bounced: 0, ignored: 0, failed: 0, leaseLost: 0 });

/**
 * Webhook bodies stay small: a reply's text beyond this is cut (the whole message stays in the mailbox).
 * Meta's messages are at most 1000 characters; emails carry quoted history.
 */
const MAX_TEXT_CHARACTERS = 64 * 1024;

/** What one message means for the user: a reply to one of ours, a bounce of one of ours, or nothing. */
async function effectOf(mail: InboundMail, userId: string, deps: PollMailboxesDeps): Promise<MailEffect> {
  const report = mail.deliveryReport;
  if (report !== null) {
    if (report.originalMessageId === null) return NO_EFFECT;
    const [ours] = await deps.mailboxes.findSent(userId, [report.originalMessageId]);
    const address = ours === undefined ? null : permanentlyFailed(report, ours.recipient);
    if (address === null) return NO_EFFECT;
    return {
      events: [],
      bounce: { address, at: deps.clock.now(), events: [recipientSuppressed(userId, address, 'bounced')] },
    };
  }
  const answers = [...new Set(mail.answers)];
  if (answers.length === 0) return NO_EFFECT;
  const sent = await deps.mailboxes.findSent(userId, answers);
  // In-Reply-To comes first in `answers`: the message it names wins over older ones in References.
  const ours = answers
    .map((id) => sent.find((message) => message.platformMessageId === id))
    .find((message) => message !== undefined);
  if (ours === undefined) return NO_EFFECT;
  const event = messageReceived(userId, {
    platform: 'email',
    sender: mail.sender,
    platformMessageId: mail.messageId,
    text: mail.text.slice(0, MAX_TEXT_CHARACTERS),
    receivedAt: mail.receivedAt,
    inReplyTo: ours.id,
  });
  return { events: [event], bounce: null };
}

function count(effect: MailEffect, tally: Tally): void {
  if (effect.bounce !== null) tally.bounced += 1;
  else if (effect.events.length > 0) tally.received += 1;
  else tally.ignored += 1;
}

/** How reading one mailbox ended; `skipped`: not connected, so not read (and not counted). */
type MailboxOutcome = 'read' | 'failed' | 'leaseLost' | 'skipped';

/** Reads one claimed mailbox from its position, recording each message as it goes; then ends the claim. */
async function poll(claim: ClaimedMailbox, deps: PollMailboxesDeps, tally: Tally): Promise<void> {
  const outcome = await readMailbox(claim, deps, tally);
  if (outcome === 'leaseLost') {
    tally.leaseLost += 1;
    return;
  }
  if (outcome !== 'skipped') tally[outcome] += 1;
  const next = new Date(deps.clock.now().getTime() + deps.settings.intervalMs);
  if (!(await deps.mailboxes.release(claim.integration.id, claim.lease, next))) tally.leaseLost += 1;
}

async function readMailbox(
  claim: ClaimedMailbox,
  deps: PollMailboxesDeps,
  tally: Tally,
): Promise<MailboxOutcome> {
  const { integration, lease } = claim;
  const { id, userId, imap, imapPassword } = integration;
  const notRead = (code: string): MailboxOutcome => {
    deps.logger.warn('mailbox not read', { integration_id: id, code });
    return 'failed';
  };
  if (imap === null || imapPassword === null || integration.connectionStatus !== 'connected') {
    return 'skipped';
  }
  const password = await withStoredSecrets(async () => ok(await deps.cipher.open(imapPassword)));
  if (!password.ok) return notRead(password.failure.code);
  const login = { ...imap, password: password.value };
  const moveTo = (position: MailboxPosition, effect: MailEffect) =>
    deps.mailboxes.record(id, lease, position, effect);

  if (claim.position === null) {
    // Never read: mail already there is not taken for replies, reading starts after it.
    const started = await deps.reader.verify(login);
    if (!started.ok) return notRead(started.failure.code);
    return (await moveTo(started.value, NO_EFFECT)) ? 'read' : 'leaseLost';
  }

  const { uidValidity } = claim.position;
  let lost = false;
  // A failure of our own while handling a message (the database not answering, mostly) is not the IMAP
  // server's: it stops the read, so the session still ends cleanly, and is thrown once it has.
  const failures: unknown[] = [];
  const read = await deps.reader.read(login, claim.position, deps.settings.messagesPerRead, async (mail) => {
    try {
      const effect = await effectOf(mail, userId, deps);
      lost = !(await moveTo({ uidValidity, lastUid: mail.uid }, effect));
      if (!lost) count(effect, tally);
      return !lost;
    } catch (error) {
      failures.push(error);
      return false;
    }
  });
  if (failures.length > 0) throw failures[0];
  if (lost) return 'leaseLost';
  if (!read.ok) return notRead(read.failure.code);
  if (read.value.kind === 'renumbered') {
    // The server renumbered the mailbox: which of its messages were handled can no longer be told, so
    // reading starts after what is there now rather than handling any message twice.
    deps.logger.warn('mailbox renumbered (UIDVALIDITY changed): reading starts after its current messages', {
      integration_id: id,
    });
    if (!(await moveTo(read.value.position, NO_EFFECT))) return 'leaseLost';
  }
  return 'read';
}

export interface PollPassOptions {
  /** Ends the pass once the mailboxes in hand are read (the process is shutting down). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * One pass of the IMAP poller: claims due mailboxes in batches until none is due and reads each from
 * where it stands. A reply to one of the user's sent emails (`In-Reply-To`/`References` naming its
 * `Message-ID`) becomes `message.received`; a delivery-status report of a permanent failure of one of
 * them suppresses that recipient as `bounced` (and `recipient.suppressed`); anything else is passed over.
 * Each message's outcome is written with the position past it, so any number of passes in any number of
 * processes handle each message once. Nothing happens where the runtime cannot read mailboxes.
 */
export function pollMailboxes(deps: PollMailboxesDeps) {
  return async ({ signal }: PollPassOptions = {}): Promise<PollReport> => {
    const tally = emptyTally();
    if (deps.reader.unsupportedReason !== undefined) return tally;
    const { batchSize, leaseMs } = deps.settings;
    // Mailboxes due when the pass began: one it read is due again an interval later, not in this pass.
    const startedAt = deps.clock.now();
    while (signal?.aborted !== true) {
      const claimed = await deps.mailboxes.claimDue(startedAt, deps.clock.now(), batchSize, leaseMs);
      if (claimed.length === 0) break;
      await Promise.all(
        claimed.map((claim) =>
          // The claim is not released: its lease lapses and the mailbox is read again from its recorded
          // position, so a message whose handling failed is handled once, later.
          poll(claim, deps, tally).catch((error: unknown) => {
            tally.failed += 1;
            deps.logger.error('mailbox read failed unexpectedly', {
              integration_id: claim.integration.id,
              code: error instanceof DatabaseUnavailable ? 'service_unavailable' : 'internal_error',
              ...errorFields(error),
            });
          }),
        ),
      );
    }
    return tally;
  };
}

export type PollMailboxes = ReturnType<typeof pollMailboxes>;
