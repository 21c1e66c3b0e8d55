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

/** A message the server accepted, as it arrived. */
export interface ReceivedMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: string;
  /** The header block, unfolded, by lower-cased name. */
  readonly headers: Readonly<Record<string, string>>;
  /** Which connection it came over (the count of connections when that one opened). */
  readonly connection: number;
}

export interface TestSmtpServer {
  readonly host: string;
  readonly port: number;
  readonly messages: ReceivedMessage[];
  /** Recipients refused at RCPT TO: with 550 (permanent), or 450 (temporary) when in `deferred`. */
  readonly refused: Set<string>;
  readonly deferred: Set<string>;
  /** Connections accepted so far. */
  connections(): number;
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
  /** Told of each message as it is accepted. */
  readonly onMessage?: (message: ReceivedMessage) => void;
}

/** A real SMTP server (STARTTLS and AUTH by default) listening on loopback. */
function headerBlock(raw: string): Record<string, string> {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const headers: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

const smtpRefusal = (message: string, responseCode: number) =>
  Object.assign(new Error(message), { responseCode });

export async function startTestSmtpServer(options: TestSmtpOptions): Promise<TestSmtpServer> {
  const logins: TestSmtpServer['logins'] = [];
  const messages: ReceivedMessage[] = [];
  const refused = new Set<string>();
  const deferred = new Set<string>();
  let connections = 0;
  const sessions = new Map<string, number>();
  const host = options.host ?? '127.0.0.1';
  const server = new SMTPServer({
    onConnect(session, callback) {
      connections += 1;
      sessions.set(session.id, connections);
      callback();
    },
    onRcptTo(address, _session, callback) {
      const recipient = address.address.toLowerCase();
      if (refused.has(recipient)) return callback(smtpRefusal('5.1.1 No such user here', 550));
      if (deferred.has(recipient)) return callback(smtpRefusal('4.2.1 Try again later', 450));
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom;
        const message: ReceivedMessage = {
          from: from === false ? '' : from.address,
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          raw,
          headers: headerBlock(raw),
          connection: sessions.get(session.id) ?? 0,
        };
        messages.push(message);
        options.onMessage?.(message);
        callback(null, 'Queued');
      });
    },
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
    messages,
    refused,
    deferred,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
