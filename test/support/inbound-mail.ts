// Raw RFC 5322 messages as they reach a mailbox: a person's reply and a mail server's delivery report.

/** A reply from Bob, dated 2026-12-02T10:00:00Z, answering `inReplyTo` (and `references`, by default the same). */
export const replyMail = (messageId: string, inReplyTo: string, text: string, references = inReplyTo) =>
  [
    'From: "Bob" <Bob@Example.org>',
    'To: mailbox@example.test',
    'Subject: Re: hello',
    `Message-ID: ${messageId}`,
    `In-Reply-To: ${inReplyTo}`,
    `References: ${references}`,
    'Date: Wed, 02 Dec 2026 10:00:00 +0000',
    '',
    text,
    '',
  ].join('\r\n');

/**
 * A delivery-status report (RFC 3464) about `recipient`, returning the headers of the message `original`:
 * `Action: failed` for a 5.x.x `status`, `delayed` otherwise.
 */
export const deliveryReportMail = (reportId: string, recipient: string, status: string, original: string) =>
  [
    'From: Mail Delivery System <MAILER-DAEMON@mx.example.org>',
    'To: mailbox@example.test',
    'Subject: Undelivered Mail Returned to Sender',
    `Message-ID: ${reportId}`,
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="B"',
    '',
    '--B',
    'Content-Type: text/plain',
    '',
    'Your message could not be delivered.',
    '--B',
    'Content-Type: message/delivery-status',
    '',
    'Reporting-MTA: dns; mx.example.org',
    '',
    `Final-Recipient: rfc822; ${recipient}`,
    `Action: ${status.startsWith('5') ? 'failed' : 'delayed'}`,
    `Status: ${status}`,
    '--B',
    'Content-Type: text/rfc822-headers',
    '',
    'From: mailbox@example.test',
    `To: ${recipient}`,
    `Message-ID: ${original}`,
    '--B--',
    '',
  ].join('\r\n');
