import { X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_SMTP_PORTS } from '../../src/config.js';
import {
  generateTestCertificate,
  type ReceivedMessage,
  startTestSmtpServer,
  type TestCertificate,
  type TestSmtpServer,
} from './smtp-test-server.js';

/** The one account the demo SMTP server accepts. */
export const DEMO_SMTP_ACCOUNT = { user: 'demo@example.com', password: 'demo-password' } as const;

export interface DemoSmtpServer {
  readonly server: TestSmtpServer;
  /** The throwaway certificate, for NODE_EXTRA_CA_CERTS of the service that connects to it. */
  readonly caFile: string;
}

const CERTIFICATE_DAYS = 365;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The certificate of an earlier start while it stays valid for another day, else a new one written to
 * `directory`: a service started with NODE_EXTRA_CA_CERTS trusts only the certificate it read at start-up.
 */
function keptCertificate(directory: string): TestCertificate {
  const keyFile = join(directory, 'key.pem');
  const caFile = join(directory, 'ca.pem');
  if (existsSync(keyFile) && existsSync(caFile)) {
    const kept = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(caFile, 'utf8') };
    if (Date.parse(new X509Certificate(kept.cert).validTo) > Date.now() + DAY_MS) return kept;
  }
  const certificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1'], CERTIFICATE_DAYS);
  writeFileSync(keyFile, certificate.key, { mode: 0o600 });
  writeFileSync(caFile, certificate.cert);
  return certificate;
}

/**
 * A real SMTP server on localhost (STARTTLS + AUTH) whose certificate is kept in `directory`; `onMessage`
 * is told of each message it accepts.
 */
export async function startDemoSmtpServer(
  directory: string,
  port: number,
  onMessage?: (message: ReceivedMessage) => void,
): Promise<DemoSmtpServer> {
  mkdirSync(directory, { recursive: true });
  const server = await startTestSmtpServer({
    certificate: keptCertificate(directory),
    user: DEMO_SMTP_ACCOUNT.user,
    password: DEMO_SMTP_ACCOUNT.password,
    port,
    ...(onMessage === undefined ? {} : { onMessage }),
  });
  return { server, caFile: join(directory, 'ca.pem') };
}

/**
 * What to tell someone who started the demo SMTP server: the command that starts the service so that it
 * may reach loopback, trusts this certificate and allows this port when the defaults do not.
 */
export function demoSmtpHint(port: number, caFile: string): string[] {
  const settings = ['SMTP_ALLOW_PRIVATE_HOSTS=true', `NODE_EXTRA_CA_CERTS=${caFile}`];
  if (!DEFAULT_SMTP_PORTS.includes(port)) {
    settings.push(`SMTP_ALLOWED_PORTS=${[...DEFAULT_SMTP_PORTS, port].join(',')}`);
  }
  return [
    `Demo SMTP server on localhost:${port} (STARTTLS), account ${DEMO_SMTP_ACCOUNT.user} / ${DEMO_SMTP_ACCOUNT.password}`,
    `Its certificate is kept in ${caFile} across restarts.`,
    'Start the service in another terminal so it trusts this server and may reach it:',
    `  ${settings.join(' ')} npm start`,
    `Then connect email with host localhost, port ${port} and that account.`,
  ];
}

/** One line a person reads to see a message arrive: its envelope and the headers outreach sets. */
export function receivedLine(message: ReceivedMessage): string {
  const { headers } = message;
  const shown = [
    `from ${message.from}`,
    `to ${message.to.join(', ')}`,
    `subject "${headers.subject ?? ''}"`,
    `message-id ${headers['message-id'] ?? '(none)'}`,
    `list-unsubscribe ${headers['list-unsubscribe'] ?? '(none)'}`,
  ];
  if (headers['list-unsubscribe-post'] !== undefined) {
    shown.push(`list-unsubscribe-post ${headers['list-unsubscribe-post']}`);
  }
  return `Demo SMTP server received a message: ${shown.join(' | ')}`;
}
