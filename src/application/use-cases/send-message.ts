import { type Capability, type CapabilityFacts, decideCapability } from '../../domain/capability-policy.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Integration } from '../../domain/integration.js';
import { statusAfterRefusal } from '../../domain/integration.js';
import {
  addressDomain,
  decideWindow,
  isCredentialRefusal,
  type MessageTag,
  type MetaMessagingPlatform,
  messagingConnector,
  normalizeAddress,
  secondsUntilNextUtcDay,
  utcDay,
  type WindowRecord,
  windowFor,
} from '../../domain/outreach.js';
import type { Platform } from '../../domain/platform.js';
import { type Failure, fail, ok, type Result } from '../../domain/result.js';
import { withStoredSecrets } from '../credential-check.js';
import { type NewEvent, recipientSuppressed } from '../events.js';
import type { IntegrationAnnouncements } from '../integration-announcements.js';
import type { Clock } from '../ports/clock.js';
import type { DailySendCounter } from '../ports/daily-send-counter.js';
import type { DirectMessageGateways } from '../ports/direct-message-gateway.js';
import type { WireFormat } from '../ports/event-outbox.js';
import type { IntegrationRepository } from '../ports/integration-repository.js';
import type { MailSender } from '../ports/mail-sender.js';
import type { MessageLog, MessageRecord } from '../ports/message-log.js';
import type { MessagingWindowStore } from '../ports/messaging-window-store.js';
import type { RecipientFacts } from '../ports/recipient-facts.js';
import type { SecretCipher } from '../ports/secret-cipher.js';
import type { Sha256Hex } from '../ports/sha256.js';
import type { SuppressionList } from '../ports/suppression-list.js';
import { unsubscribeToken } from '../unsubscribe-token.js';

export interface OutreachSettings {
  /** Emails one integration may send per UTC day; 0 is no cap. */
  readonly emailDailyLimit: number;
  /** The service's public origin for unsubscribe links; null sends email without them. */
  readonly publicBaseUrl: string | null;
  /**
   * How long an attempt may stay in flight: one whose process died never settles, and after this its
   * idempotency key may be tried again, the attempt recorded as failed (`attempt_abandoned`).
   */
  readonly attemptLeaseMs: number;
}

export interface OutreachPorts {
  readonly repository: IntegrationRepository;
  readonly announcements: IntegrationAnnouncements;
  readonly wireFormat: WireFormat;
  readonly cipher: SecretCipher;
  readonly clock: Clock;
  readonly mailSender: MailSender;
  readonly directMessages: DirectMessageGateways;
  readonly messageLog: MessageLog;
  readonly suppressions: SuppressionList;
  readonly windows: MessagingWindowStore;
  readonly dailySends: DailySendCounter;
  /** A Meta send's integration and window, read in one round trip. */
  readonly recipientFacts: RecipientFacts;
  /** Hashes each send request, so a repeated Idempotency-Key is told a same request from a different one. */
  readonly sha256Hex: Sha256Hex;
  readonly outreach: OutreachSettings;
}

export type SendRequest =
  | {
      readonly platform: MetaMessagingPlatform;
      readonly recipientId: string;
      readonly text: string;
      readonly tag: MessageTag | null;
    }
  | {
      readonly platform: 'email';
      readonly to: string;
      readonly subject: string;
      readonly text: string;
      readonly html: string | null;
      readonly replyTo: string | null;
    }
  | { readonly platform: 'tiktok' };

export type SendOutcome =
  /** The platform accepted it now, or (`replayed`) earlier under the same idempotency key. */
  | { readonly kind: 'sent'; readonly message: MessageRecord; readonly replayed: boolean }
  /** The capability policy refuses: its own reason code and reason are the answer. */
  | { readonly kind: 'denied'; readonly capability: Capability };

const emailLimit = (settings: OutreachSettings) =>
  settings.emailDailyLimit === 0 ? null : settings.emailDailyLimit;

export const unsupportedHere = (platform: Platform, mailSender: MailSender) =>
  platform === 'email' ? (mailSender.unsupportedReason ?? null) : null;

/** The capability that gates a send; on a runtime without SMTP, email is 501 as validation is. */
export function sendingCapability(
  platform: Platform,
  integration: CapabilityFacts | null,
  now: Date,
  mailSender: MailSender,
): Result<Capability> {
  const capability = decideCapability(platform, integration, now, unsupportedHere(platform, mailSender));
  if (capability.reasonCode === 'unsupported_on_runtime') {
    return fail('email_unsupported_on_runtime', capability.reason ?? '');
  }
  return ok(capability);
}

const requestHash = (sha256Hex: Sha256Hex, userId: string, key: string | null, request: SendRequest) =>
  sha256Hex(JSON.stringify([userId, key, request]));

const recipientOf = (request: Exclude<SendRequest, { platform: 'tiktok' }>) =>
  request.platform === 'email' ? request.to : request.recipientId;

/** What an attempt came to: accepted by the platform, refused before reaching it, or failed there. */
type Attempt =
  | { readonly kind: 'accepted'; readonly platformMessageId: string }
  | { readonly kind: 'refused'; readonly failure: Failure }
  | { readonly kind: 'failed'; readonly failure: Failure };

const refused = (code: ErrorCode, detail: string, retryAfterSeconds?: number): Attempt => ({
  kind: 'refused',
  failure: retryAfterSeconds === undefined ? { code, detail } : { code, detail, retryAfterSeconds },
});

/**
 * Sends one message now through the user's integration, within the capability policy and the platform's
 * rules: at most once per idempotency key, never storing or logging the text, subject or html.
 */
export function sendMessage(ports: OutreachPorts) {
  const { repository, clock, messageLog } = ports;

  // As validate would: the status the refusal leaves, and capabilities follow from it.
  const refuseOnCredentials = async (integration: Integration, failure: Failure) => {
    if (!isCredentialRefusal(failure.code)) return null;
    const changed = await repository.changeStatus(
      integration.id,
      {
        connectionStatus: statusAfterRefusal(failure.code),
        statusDetail: failure.detail,
        nextCheckAt: null,
      },
      ports.announcements.check,
    );
    return decideCapability(integration.platform, changed, clock.now());
  };

  async function sendDirect(
    userId: string,
    integration: Integration,
    request: Extract<SendRequest, { platform: MetaMessagingPlatform }>,
    stored: WindowRecord | null,
  ): Promise<Attempt> {
    const now = clock.now();
    const window = decideWindow(request.platform, stored, now);
    if (windowFor(window, request.tag) === 'closed') {
      return refused(
        'outside_messaging_window',
        request.tag === null
          ? 'This person last wrote more than 24 hours ago (or Meta said the window is closed): Meta allows only replies within 24 hours, or 7 days with the HUMAN_AGENT tag.'
          : 'This person last wrote more than 7 days ago (or Meta said the window is closed): even a HUMAN_AGENT reply is no longer allowed.',
      );
    }
    const connector = messagingConnector(request.platform, integration.loginType);
    // Instagram Login sends as the professional account itself; the others through their Page.
    const senderId = connector === 'instagram_login' ? integration.accountId : integration.pageId;
    const { accessToken } = integration;
    if (senderId === null || accessToken === null) {
      return refused('credentials_rejected', 'This integration has no sender and token to send with.');
    }
    const sent = await ports.directMessages[connector].send({
      senderId,
      accessToken: await ports.cipher.open(accessToken),
      recipientId: request.recipientId,
      text: request.text,
      tag: request.tag,
    });
    if (sent.ok) return { kind: 'accepted', platformMessageId: sent.value.messageId };
    if (sent.failure.code === 'outside_messaging_window') {
      await ports.windows.recordClosed(userId, request.platform, request.recipientId, request.tag, now);
    }
    return { kind: 'failed', failure: sent.failure };
  }

  async function sendEmail(
    userId: string,
    messageId: string,
    integration: Integration,
    request: Extract<SendRequest, { platform: 'email' }>,
    suppressed: boolean,
  ): Promise<Attempt> {
    const address = normalizeAddress(request.to);
    if (suppressed) {
      return refused(
        'recipient_suppressed',
        'This address unsubscribed, bounced or was suppressed: nothing is sent to it.',
      );
    }
    const { smtp, smtpPassword } = integration;
    if (smtp === null || smtpPassword === null) {
      return refused('credentials_rejected', 'This email integration has no SMTP settings.');
    }
    const password = await ports.cipher.open(smtpPassword);
    const now = clock.now();
    const day = utcDay(now);
    if (!(await ports.dailySends.reserve(userId, day, emailLimit(ports.outreach)))) {
      return refused(
        'daily_limit_reached',
        `This mailbox already sent ${ports.outreach.emailDailyLimit} messages today (UTC), its daily limit.`,
        secondsUntilNextUtcDay(now),
      );
    }
    const base = ports.outreach.publicBaseUrl;
    const platformMessageId = `<${messageId}@${addressDomain(smtp.emailAddress)}>`;
    const sent = await ports.mailSender.send(
      { ...smtp, password },
      {
        from: smtp.emailAddress,
        to: request.to,
        subject: request.subject,
        text: request.text,
        html: request.html,
        replyTo: request.replyTo,
        messageId: platformMessageId,
        unsubscribeUrl:
          base === null
            ? null
            : `${base}/unsubscribe/${await unsubscribeToken(ports.cipher, { userId, address })}`,
      },
    );
    if (sent.ok) return { kind: 'accepted', platformMessageId };
    await ports.dailySends.release(userId, day);
    if (sent.failure.code === 'recipient_rejected') {
      await ports.suppressions.add(userId, address, 'bounced', now, [
        recipientSuppressed(userId, address, 'bounced'),
      ]);
    }
    return { kind: 'failed', failure: sent.failure };
  }

  // message.sent or message.failed, written with the attempt's outcome.
  const announceOutcome = (message: MessageRecord): NewEvent[] => [
    {
      type: message.status === 'sent' ? 'message.sent' : 'message.failed',
      userId: message.userId,
      data: {
        user_id: message.userId,
        platform: message.platform,
        message: ports.wireFormat.message(message),
      },
    },
  ];

  return async (
    userId: string,
    request: SendRequest,
    idempotencyKey: string | null,
  ): Promise<Result<SendOutcome>> => {
    // A Meta send reads its integration and the person's window together, before it claims.
    const { integration, window: stored } =
      request.platform === 'facebook' || request.platform === 'instagram'
        ? await ports.recipientFacts.forMetaSend(userId, request.platform, request.recipientId)
        : { integration: await repository.find(userId, request.platform), window: null };
    const gate = sendingCapability(request.platform, integration, clock.now(), ports.mailSender);
    if (!gate.ok) return gate;
    if (!gate.value.canSendDm || integration === null || request.platform === 'tiktok') {
      return ok({ kind: 'denied', capability: gate.value });
    }

    // An email's suppression is read beside the claim: one round trip, not two.
    const [claim, suppressed] = await Promise.all([
      messageLog.claim(
        {
          userId,
          platform: request.platform,
          recipient: recipientOf(request),
          idempotencyKey,
          requestHash: await requestHash(ports.sha256Hex, userId, idempotencyKey, request),
        },
        clock.now(),
        ports.outreach.attemptLeaseMs,
      ),
      request.platform === 'email'
        ? ports.suppressions.isSuppressed(userId, normalizeAddress(request.to))
        : false,
    ]);
    if (claim.kind === 'replay') return ok({ kind: 'sent', message: claim.message, replayed: true });
    if (claim.kind === 'in_use') {
      return fail(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still being sent; wait for its answer.',
      );
    }
    if (claim.kind === 'reused') {
      return fail(
        'idempotency_key_reused',
        'This Idempotency-Key was already used for a different message; use a new key.',
      );
    }

    let attempt: Result<Attempt>;
    try {
      attempt = await withStoredSecrets(async () =>
        ok(
          request.platform === 'email'
            ? await sendEmail(userId, claim.id, integration, request, suppressed)
            : await sendDirect(userId, integration, request, stored),
        ),
      );
    } catch (error) {
      // The attempt may not stay in flight forever, holding its key; whether it went out is unknown.
      await messageLog
        .settle(claim, { status: 'failed', errorCode: 'internal_error' }, announceOutcome)
        .catch(() => {});
      throw error;
    }
    if (!attempt.ok) {
      await messageLog.release(claim.id);
      return attempt;
    }
    const done = attempt.value;
    if (done.kind === 'refused') {
      await messageLog.release(claim.id);
      return { ok: false, failure: done.failure };
    }
    if (done.kind === 'failed') {
      const { failure } = done;
      await messageLog.settle(claim, { status: 'failed', errorCode: failure.code }, announceOutcome);
      const denied = await refuseOnCredentials(integration, failure);
      return denied === null ? { ok: false, failure } : ok({ kind: 'denied', capability: denied });
    }
    const message = await messageLog.settle(
      claim,
      { status: 'sent', platformMessageId: done.platformMessageId, sentAt: clock.now() },
      announceOutcome,
    );
    return ok({ kind: 'sent', message, replayed: false });
  };
}
