/** Where a mailbox's reading stands: its UIDVALIDITY and the last UID handled (or present when connected). */
export interface MailboxPosition {
  readonly uidValidity: number;
  readonly lastUid: number;
}

/** One recipient of a delivery-status report (RFC 3464), addresses without their `rfc822;` type. */
export interface ReportedRecipient {
  readonly finalRecipient: string | null;
  readonly originalRecipient: string | null;
  readonly action: string | null;
  readonly status: string | null;
}

/** What a delivery-status report says, and which message it returned. */
export interface DeliveryReport {
  /** The `Message-ID` of the returned original (its message or its headers); null when not returned. */
  readonly originalMessageId: string | null;
  readonly recipients: readonly ReportedRecipient[];
}

/** A permanent failure: `Action: failed` with a 5.x.x status (4.x.x is a delay, 2.x.x a success). */
export function isPermanentFailure(recipient: ReportedRecipient): boolean {
  return recipient.action?.toLowerCase() === 'failed' && /^5\.\d{1,3}\.\d{1,3}$/.test(recipient.status ?? '');
}

/**
 * The address of ours that a report says failed for good: the reported recipient (final or original)
 * that equals `sentTo`, compared case-insensitively; null when the report says no such thing.
 */
export function permanentlyFailed(report: DeliveryReport, sentTo: string): string | null {
  const address = sentTo.toLowerCase();
  const failed = report.recipients.some(
    (recipient) =>
      isPermanentFailure(recipient) &&
      [recipient.finalRecipient, recipient.originalRecipient].some(
        (reported) => reported?.toLowerCase() === address,
      ),
  );
  return failed ? address : null;
}
