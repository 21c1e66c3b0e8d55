import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateTestCertificate, startTestSmtpServer, type TestSmtpServer } from './smtp-test-server.js';

/** The one account the demo SMTP server accepts. */
export const DEMO_SMTP_ACCOUNT = { user: 'demo@example.com', password: 'demo-password' } as const;

export interface DemoSmtpServer {
  readonly server: TestSmtpServer;
  /** The throwaway certificate, for NODE_EXTRA_CA_CERTS of the service that connects to it. */
  readonly caFile: string;
}

/** A real SMTP server on localhost (STARTTLS + AUTH) whose certificate is written to `directory`. */
export async function startDemoSmtpServer(directory: string, port: number): Promise<DemoSmtpServer> {
  mkdirSync(directory, { recursive: true });
  const certificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1']);
  const caFile = join(directory, 'ca.pem');
  writeFileSync(caFile, certificate.cert);
  const server = await startTestSmtpServer({
    certificate,
    user: DEMO_SMTP_ACCOUNT.user,
    password: DEMO_SMTP_ACCOUNT.password,
    port,
  });
  return { server, caFile };
}
