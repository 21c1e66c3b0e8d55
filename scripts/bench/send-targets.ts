import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MetaFake } from '../../test/fakes/meta-fake.js';
import {
  generateTestCertificate,
  startTestSmtpServer,
  type TestSmtpServer,
} from '../../test/support/smtp-test-server.js';
import type { SendTargets } from './bench-database.js';

// The people the send scenarios write to: wrk-random-user.lua picks PSIDs 2000010000-2000010999.
const RECIPIENTS = 1000;
const benchRecipient = (index: number) => `20000${10000 + index}`;

const SCOPES = {
  facebook: ['pages_messaging', 'pages_show_list'],
  instagram: ['instagram_basic', 'instagram_manage_messages', 'pages_show_list'],
} as const;

/** The fake Meta Send API and the SMTP sink the send scenarios reach, and how the service reaches them. */
export interface SendSinks extends SendTargets {
  readonly meta: MetaFake;
  readonly smtpServer: TestSmtpServer;
  /** Environment for the service: Meta at the fake, SMTP to the sink on loopback, trusting its certificate. */
  readonly environment: Record<string, string>;
  close(): Promise<void>;
}

/**
 * The fake Meta (each bench recipient wrote a moment ago, so the window is open) and a real SMTP server
 * (STARTTLS, AUTH) that takes every login and every message at once.
 */
export async function startSendSinks(directory: string): Promise<SendSinks> {
  const meta = await MetaFake.start([]);
  const lastMessageAt = Date.now();
  for (let index = 0; index < RECIPIENTS; index += 1) {
    meta.people.set(benchRecipient(index), { platform: 'facebook', lastMessageAt });
  }
  const certificate = generateTestCertificate(['IP:127.0.0.1']);
  const caFile = join(directory, 'smtp-ca.pem');
  writeFileSync(caFile, certificate.cert);
  const smtpServer = await startTestSmtpServer({
    certificate,
    user: '',
    password: '',
    server: { onAuth: (auth, _session, callback) => callback(null, { user: auth.username }) },
  });
  return {
    meta,
    smtpServer,
    smtp: { host: smtpServer.host, port: smtpServer.port },
    pageToken: (pageId, platform) => meta.mintPageToken(pageId, SCOPES[platform]),
    environment: {
      META_GRAPH_URL: meta.baseUrl,
      META_GRAPH_VERSION: meta.version,
      SMTP_ALLOW_PRIVATE_HOSTS: 'true',
      SMTP_ALLOWED_PORTS: String(smtpServer.port),
      NODE_EXTRA_CA_CERTS: caFile,
      // Every message carries the one-click unsubscribe headers, as production sends them.
      PUBLIC_BASE_URL: 'http://127.0.0.1',
      // One mailbox may send as often as the bench asks.
      OUTREACH_EMAIL_DAILY_LIMIT: '0',
    },
    close: async () => {
      await Promise.all([meta.close(), smtpServer.close()]);
    },
  };
}
