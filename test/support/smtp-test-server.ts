import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

export interface TestCertificate {
  readonly key: string;
  readonly cert: string;
}

/** A throwaway self-signed certificate for `names` (e.g. `DNS:localhost`, `IP:127.0.0.1`); the key stays in memory. */
export function generateTestCertificate(names: readonly string[], days = 1): TestCertificate {
  const dir = mkdtempSync(join(tmpdir(), 'smtp-test-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    const request = `req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days ${days} -subj /CN=localhost`;
    execFileSync(
      'openssl',
      [
        ...request.split(' '),
        '-addext',
        `subjectAltName=${names.join(',')}`,
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'pipe' },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  /** Every AUTH attempt the server saw, successful or not. */
  readonly logins: { username: string | undefined; password: string | null | undefined; method: string }[];
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  readonly certificate: TestCertificate;
  /** The one account the server accepts. */
  readonly user: string;
  readonly password: string;
  /** What the server answers a failed login with (tests check it never reaches a client). */
  readonly rejection?: string;
  readonly server?: SMTPServerOptions;
  readonly host?: string;
  readonly port?: number;
}

/** A real SMTP server (STARTTLS and AUTH by default) listening on loopback. */
export async function startTestSmtpServer(options: TestSmtpOptions): Promise<TestSmtpServer> {
  const logins: TestSmtpServer['logins'] = [];
  const host = options.host ?? '127.0.0.1';
  const server = new SMTPServer({
    key: options.certificate.key,
    cert: options.certificate.cert,
    logger: false,
    disableReverseLookup: true,
    closeTimeout: 1000,
    onAuth(auth, _session, callback) {
      logins.push({ username: auth.username, password: auth.password, method: auth.method });
      if (auth.username === options.user && auth.password === options.password) {
        callback(null, { user: auth.username });
      } else {
        callback(new Error(options.rejection ?? 'Authentication failed'));
      }
    },
    ...options.server,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // Connections the client cuts off (timeouts) surface here; they are expected.
  server.on('error', () => {});
  return {
    host,
    port: (server.server.address() as AddressInfo).port,
    logins,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
