import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapflowMailboxReader } from '../../src/adapters/gateways/imap/imapflow-mailbox-reader.js';
import type { ImapLogin, InboundMail } from '../../src/application/ports/mailbox-reader.js';
import { permanentlyFailed } from '../../src/domain/inbound-mail.js';
import {
  dovecotReader,
  dovecotUnavailableReason,
  startTestDovecot,
  type TestDovecot,
} from '../support/dovecot-server.js';
import { deliveryReportMail, replyMail } from '../support/inbound-mail.js';
import { type SilentServer, startSilentServer } from '../support/silent-server.js';

const unavailable = dovecotUnavailableReason();

const login = (dovecot: TestDovecot, port: number, password = dovecot.password): ImapLogin => ({
  host: 'localhost',
  port,
  username: dovecot.user,
  password,
});

const REPLY = replyMail(
  '<reply-1@example.org>',
  '<ours-1@example.com>',
  'Thanks, sounds good!',
  '<older@example.com> <ours-1@example.com>',
);
const DSN = deliveryReportMail(
  '<dsn-1@mx.example.org>',
  'Nobody@Example.org',
  '5.1.1',
  '<ours-2@example.com>',
);

describe.skipIf(unavailable !== null)('IMAP against a real dovecot', () => {
  let dovecot: TestDovecot;
  let plaintextOnly: TestDovecot;
  let silent: SilentServer;

  beforeAll(async () => {
    [dovecot, plaintextOnly, silent] = await Promise.all([
      startTestDovecot(),
      startTestDovecot({ starttls: false }),
      startSilentServer(),
    ]);
  });
  afterAll(() => Promise.all([dovecot?.stop(), plaintextOnly?.stop(), silent?.close()]));

  it.each([
    ['implicit TLS', () => dovecot.tlsPort],
    ['STARTTLS', () => dovecot.plainPort],
  ])('logs in over %s, opens INBOX and answers where it stands', async (_name, port) => {
    const verified = await dovecotReader(dovecot, [port()]).verify(login(dovecot, port()));
    expect(verified.ok).toBe(true);
    if (verified.ok) expect(verified.value.uidValidity).toBeGreaterThan(0);
  });

  it('refuses a wrong password with imap_auth_failed', async () => {
    const verified = await dovecotReader(dovecot, [dovecot.plainPort]).verify(
      login(dovecot, dovecot.plainPort, 'CANARY_wrong_imap_pw'),
    );
    expect(verified).toMatchObject({ ok: false, failure: { code: 'imap_auth_failed' } });
    if (!verified.ok) expect(verified.failure.detail).not.toContain('CANARY');
  });

  it('sends no password to a server that offers no STARTTLS: imap_tls_failed', async () => {
    const port = plaintextOnly.plainPort;
    const verified = await dovecotReader(plaintextOnly, [port]).verify(login(plaintextOnly, port));
    expect(verified).toMatchObject({ ok: false, failure: { code: 'imap_tls_failed' } });
    expect(plaintextOnly.log()).not.toMatch(/Login: user=|auth failed/);
  });

  it('refuses a certificate it cannot trust: imap_tls_failed', async () => {
    const untrusting = new ImapflowMailboxReader({
      timeoutMs: 5000,
      allowPrivateHosts: true,
      allowPort: (port) => port === dovecot.tlsPort,
      implicitTlsPorts: [dovecot.tlsPort],
    });
    const verified = await untrusting.verify(login(dovecot, dovecot.tlsPort));
    expect(verified).toMatchObject({ ok: false, failure: { code: 'imap_tls_failed' } });
  });

  it('gives up on a server that never answers: imap_timeout', async () => {
    const verified = await dovecotReader(dovecot, [silent.port], 300).verify({
      ...login(dovecot, silent.port),
      host: '127.0.0.1',
    });
    expect(verified).toMatchObject({ ok: false, failure: { code: 'imap_timeout' } });
  });

  it('refuses internal hosts and other ports before connecting (address policy)', async () => {
    const guarded = new ImapflowMailboxReader({
      timeoutMs: 2000,
      allowPrivateHosts: false,
      allowPort: (port) => port === dovecot.tlsPort,
      resolve: async (host) =>
        ({ localhost: ['127.0.0.1'], 'metadata.test': ['169.254.169.254'] })[host] ?? [],
    });
    for (const host of [
      '127.0.0.1',
      'localhost',
      '0x7f000001',
      '[::1]',
      '10.0.0.5',
      'metadata.test',
      'nowhere.test',
    ]) {
      const verified = await guarded.verify({ ...login(dovecot, dovecot.tlsPort), host });
      expect(verified, host).toMatchObject({ ok: false, failure: { code: 'imap_host_not_allowed' } });
    }
    const wrongPort = await guarded.verify({ ...login(dovecot, 6379), host: '93.184.216.34' });
    expect(wrongPort).toMatchObject({ ok: false, failure: { code: 'imap_port_not_allowed' } });
  });

  it('reads the messages after a position once, in UID order: a threaded reply and a DSN bounce', async () => {
    const imap = dovecotReader(dovecot, [dovecot.tlsPort]);
    const start = await imap.verify(login(dovecot, dovecot.tlsPort));
    if (!start.ok) throw new Error(start.failure.detail);
    await dovecot.deliver(REPLY);
    await dovecot.deliver(DSN);
    const seen: InboundMail[] = [];
    const read = await imap.read(login(dovecot, dovecot.tlsPort), start.value, 10, async (mail) => {
      seen.push(mail);
      return true;
    });
    expect(read).toMatchObject({
      ok: true,
      value: { kind: 'read', position: { lastUid: start.value.lastUid + 2 } },
    });
    const [reply, bounce] = seen;
    expect(reply).toMatchObject({
      messageId: '<reply-1@example.org>',
      answers: ['<ours-1@example.com>', '<older@example.com>', '<ours-1@example.com>'],
      sender: 'Bob@Example.org',
      deliveryReport: null,
    });
    expect(reply?.text).toContain('sounds good');
    expect(bounce?.deliveryReport?.originalMessageId).toBe('<ours-2@example.com>');
    expect(
      permanentlyFailed(
        bounce?.deliveryReport ?? { originalMessageId: null, recipients: [] },
        'nobody@example.org',
      ),
    ).toBe('nobody@example.org');
    if (!read.ok) return;
    const again: InboundMail[] = [];
    await imap.read(login(dovecot, dovecot.tlsPort), read.value.position, 10, async (mail) => {
      again.push(mail);
      return true;
    });
    expect(again).toEqual([]);
  });
});
