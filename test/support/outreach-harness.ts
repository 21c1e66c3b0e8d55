import { createDirectMessageGateways } from '../../src/adapters/gateways/platform-gateways.js';
import { NodemailerMailSender } from '../../src/adapters/gateways/smtp/nodemailer-mail-sender.js';
import { DrizzleAuditLog } from '../../src/adapters/persistence/drizzle-audit-log.js';
import { DrizzleMessagingWindowStore } from '../../src/adapters/persistence/drizzle-messaging-window-store.js';
import type { IntegrationDraft } from '../../src/domain/integration.js';
import { MetaFake } from '../fakes/meta-fake.js';
import type { TestDatabase } from './databases.js';
import { emailDraft, instagramDraft, uniqueUserId } from './integration-builders.js';
import { exchange } from './platform-exchange.js';
import {
  generateTestCertificate,
  startTestSmtpServer,
  type TestCertificate,
  type TestSmtpServer,
} from './smtp-test-server.js';
import { createTestApp } from './test-app.js';

export const PAGE_ID = '100000000000001';
export const IG_ACCOUNT_ID = '17841400000000001';
export const SMTP_USER = 'sales@acme.example';
export const SMTP_PASSWORD = 'mailbox-password-1';
export const PUBLIC_BASE_URL = 'https://outreach.example.com';
export const META_VERIFY_TOKEN = 'outreach-harness-verify-token';
const META_SCOPES = ['pages_messaging', 'instagram_basic', 'instagram_manage_messages', 'pages_show_list'];

/** The real app on a test database, sending through the fake Meta's Send API and a real SMTP server. */
export async function startOutreachHarness(
  database: TestDatabase,
  env: Readonly<Record<string, string>> = {},
) {
  const meta = await MetaFake.start([]);
  const certificate: TestCertificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1']);
  const smtp: TestSmtpServer = await startTestSmtpServer({
    certificate,
    user: SMTP_USER,
    password: SMTP_PASSWORD,
  });
  const mailSender = new NodemailerMailSender({
    timeoutMs: 2000,
    allowPrivateHosts: true,
    allowPort: () => true,
    tls: { ca: certificate.cert },
  });
  const harness = await createTestApp(database, {
    directMessages: createDirectMessageGateways(
      { metaGraphUrl: meta.baseUrl, metaGraphVersion: meta.version, instagramGraphUrl: meta.baseUrl },
      { exchange, timeoutMs: 1000 },
    ),
    mailSender,
    // The fake Meta's app signs the webhooks it delivers (MetaFake.personWrites).
    env: {
      PUBLIC_BASE_URL,
      FACEBOOK_CLIENT_ID: meta.appId,
      FACEBOOK_CLIENT_SECRET: meta.appSecret,
      META_WEBHOOK_VERIFY_TOKEN: META_VERIFY_TOKEN,
      ...env,
    },
  });

  /** A user with a connected Facebook (or Instagram) integration whose Page token the fake knows. */
  async function metaUser(
    platform: 'facebook' | 'instagram' = 'facebook',
    overrides: Partial<IntegrationDraft> = {},
  ): Promise<string> {
    const userId = uniqueUserId();
    const token = meta.mintPageToken(PAGE_ID, META_SCOPES);
    await harness.repository.upsert(
      instagramDraft({
        userId,
        platform,
        scopesGranted: META_SCOPES,
        pageId: PAGE_ID,
        accountId: IG_ACCOUNT_ID,
        accessToken: await harness.cipher.seal(token),
        tokenExpiresAt: null,
        ...overrides,
      }),
    );
    return userId;
  }

  /** A user with a connected email integration on the test SMTP server. */
  async function emailUser(password = SMTP_PASSWORD, overrides: Partial<IntegrationDraft> = {}) {
    const userId = uniqueUserId();
    await harness.repository.upsert(
      emailDraft({
        userId,
        smtp: { emailAddress: SMTP_USER, host: 'localhost', port: smtp.port, username: SMTP_USER },
        smtpPassword: await harness.cipher.seal(password),
        ...overrides,
      }),
    );
    return userId;
  }

  async function call(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const response = await harness.app.request(path, {
      method,
      headers: {
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: text === '' ? null : text.startsWith('{') ? JSON.parse(text) : text,
    };
  }

  const send = (userId: string, platform: string, body: unknown, headers: Record<string, string> = {}) =>
    call('POST', `/api/outreach/${platform}/messages?user_id=${userId}`, { body, headers });

  return {
    ...harness,
    // Read and arranged beside the app (inbound webhooks record windows through the app).
    auditLog: new DrizzleAuditLog(database.handle.db),
    windows: new DrizzleMessagingWindowStore(database.handle.db),
    meta,
    smtp,
    metaUser,
    emailUser,
    call,
    send,
    async close() {
      mailSender.close();
      await Promise.all([meta.close(), smtp.close()]);
    },
  };
}

export type OutreachHarness = Awaited<ReturnType<typeof startOutreachHarness>>;
