import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { NodemailerMailSender } from '../../src/adapters/gateways/smtp/nodemailer-mail-sender.js';
import type { OutgoingMail } from '../../src/application/ports/mail-sender.js';
import type { SmtpLogin } from '../../src/application/ports/mail-verifier.js';
import {
  generateTestCertificate,
  startTestSmtpServer,
  type TestCertificate,
  type TestSmtpServer,
} from '../support/smtp-test-server.js';

const USER = 'sender@example.com';
const PASSWORD = 'mailbox-password';

let certificate: TestCertificate;
let smtp: TestSmtpServer;
let sender: NodemailerMailSender;

beforeAll(async () => {
  certificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1']);
  smtp = await startTestSmtpServer({ certificate, user: USER, password: PASSWORD });
});
afterAll(() => smtp.close());
afterEach(() => {
  sender?.close();
  smtp.messages.length = 0;
  smtp.refused.clear();
  smtp.deferred.clear();
});

const newSender = (overrides: { messagesPerConnection?: number } = {}) => {
  sender = new NodemailerMailSender({
    timeoutMs: 2000,
    allowPrivateHosts: true,
    allowPort: () => true,
    tls: { ca: certificate.cert },
    ...overrides,
  });
  return sender;
};

const login = (overrides: Partial<SmtpLogin> = {}): SmtpLogin => ({
  emailAddress: USER,
  host: 'localhost',
  port: smtp.port,
  username: USER,
  password: PASSWORD,
  ...overrides,
});

const mail = (overrides: Partial<OutgoingMail> = {}): OutgoingMail => ({
  from: USER,
  to: 'lead@example.org',
  subject: 'Quick question',
  text: 'Plain body',
  html: null,
  replyTo: null,
  messageId: '<0b7f5d0e-1d3a-4c55-9a5e-6f1e2d3c4b5a@example.com>',
  unsubscribeUrl: 'https://outreach.example.com/unsubscribe/tok',
  ...overrides,
});

describe('NodemailerMailSender', () => {
  it('sends over STARTTLS with the Message-ID and RFC 8058 unsubscribe headers', async () => {
    const sent = await newSender().send(login(), mail({ html: '<p>Hi</p>', replyTo: 'reply@example.com' }));

    expect(sent).toEqual({ ok: true, value: undefined });
    const [received] = smtp.messages;
    expect(received?.from).toBe(USER);
    expect(received?.to).toEqual(['lead@example.org']);
    expect(received?.headers).toMatchObject({
      from: USER,
      to: 'lead@example.org',
      subject: 'Quick question',
      'message-id': '<0b7f5d0e-1d3a-4c55-9a5e-6f1e2d3c4b5a@example.com>',
      'reply-to': 'reply@example.com',
      'list-unsubscribe': '<https://outreach.example.com/unsubscribe/tok>',
      'list-unsubscribe-post': 'List-Unsubscribe=One-Click',
    });
    expect(received?.raw).toContain('Plain body');
    expect(received?.raw).toContain('<p>Hi</p>');
  });

  it('leaves the unsubscribe headers out without a public address', async () => {
    await newSender().send(login(), mail({ unsubscribeUrl: null }));
    expect(smtp.messages[0]?.headers['list-unsubscribe']).toBeUndefined();
    expect(smtp.messages[0]?.headers['list-unsubscribe-post']).toBeUndefined();
  });

  it('sends many messages to one mailbox over one connection, logging in once', async () => {
    const connectionsBefore = smtp.connections();
    const loginsBefore = smtp.logins.length;
    const pooled = newSender();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        pooled.send(login(), mail({ to: `lead${index}@example.org` })),
      ),
    );
    expect(results.every((result) => result.ok)).toBe(true);
    expect(smtp.messages).toHaveLength(10);
    expect(smtp.connections() - connectionsBefore).toBe(1);
    expect(smtp.logins.length - loginsBefore).toBe(1);
  });

  it('renews the connection after messagesPerConnection', async () => {
    const connectionsBefore = smtp.connections();
    const renewing = newSender({ messagesPerConnection: 2 });
    for (let index = 0; index < 5; index++) await renewing.send(login(), mail());
    expect(smtp.connections() - connectionsBefore).toBe(3);
  });

  it('maps a permanent recipient refusal to recipient_rejected and keeps sending to others', async () => {
    smtp.refused.add('gone@example.org');
    const refused = await newSender().send(login(), mail({ to: 'gone@example.org' }));
    expect(!refused.ok && refused.failure.code).toBe('recipient_rejected');
    expect((await sender.send(login(), mail())).ok).toBe(true);
    expect(smtp.messages.map((message) => message.to)).toEqual([['lead@example.org']]);
  });

  it('maps a temporary recipient refusal to platform_unavailable', async () => {
    smtp.deferred.add('later@example.org');
    const deferred = await newSender().send(login(), mail({ to: 'later@example.org' }));
    expect(!deferred.ok && deferred.failure.code).toBe('platform_unavailable');
  });

  it('keeps a refused login as smtp_auth_failed, and an unreachable server as platform_unavailable', async () => {
    const refused = await newSender().send(login({ password: 'wrong' }), mail());
    expect(!refused.ok && refused.failure.code).toBe('smtp_auth_failed');
    const unreachable = await sender.send(login({ port: 1 }), mail());
    expect(!unreachable.ok && unreachable.failure.code).toBe('platform_unavailable');
    expect(smtp.messages).toHaveLength(0);
  });

  it('refuses private hosts under the same policy as validation', async () => {
    const strict = new NodemailerMailSender({
      timeoutMs: 2000,
      allowPrivateHosts: false,
      allowPort: () => true,
    });
    const refused = await strict.send(login(), mail());
    expect(!refused.ok && refused.failure.code).toBe('platform_unavailable');
    expect(!refused.ok && refused.failure.detail).toContain('private or reserved network address');
    strict.close();
  });
});
