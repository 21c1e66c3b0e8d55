import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  NodemailerMailVerifier,
  type NodemailerMailVerifierOptions,
} from '../../src/adapters/gateways/smtp/nodemailer-mail-verifier.js';
import type { SmtpLogin } from '../../src/application/ports/mail-verifier.js';
import {
  generateTestCertificate,
  startTestSmtpServer,
  type TestCertificate,
  type TestSmtpServer,
} from '../support/smtp-test-server.js';

const USER = 'ünïcode.user@example.com';
const PASSWORD = 'pässwörd🔐';
const CANARY = 'CANARY-5b1e7 reply text from the server';
// Port 465 is what selects implicit TLS, so those servers need it; these loopback addresses are tried in
// turn in case another process already holds 127.0.0.1:465 (the certificate covers all of them).
const LOOPBACK_FOR_465 = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4'];
const PORTS_HINT = 'port 465 uses implicit TLS and port 587 uses STARTTLS';

const smtpServers: TestSmtpServer[] = [];
const netServers: Server[] = [];
const netSockets = new Set<Socket>();
let certificate: TestCertificate;

async function startSmtp(
  options: SMTPServerOptions = {},
  host = '127.0.0.1',
  port = 0,
): Promise<TestSmtpServer> {
  const server = await startTestSmtpServer({
    certificate,
    user: USER,
    password: PASSWORD,
    rejection: CANARY,
    server: options,
    host,
    port,
  });
  smtpServers.push(server);
  return server;
}

async function startSmtpOn465(options: SMTPServerOptions): Promise<TestSmtpServer> {
  for (const host of LOOPBACK_FOR_465) {
    try {
      return await startSmtp(options, host, 465);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  throw new Error(`port 465 is taken on every one of ${LOOPBACK_FOR_465.join(', ')}`);
}

/** A bare TCP listener that accepts and says nothing; `connections` counts who got through. */
async function startSilentServer(): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections += 1;
    netSockets.add(socket);
    socket.on('close', () => netSockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  netServers.push(server);
  return { port: (server.address() as AddressInfo).port, connections: () => connections };
}

async function unusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function verifier(overrides: Partial<NodemailerMailVerifierOptions> = {}): NodemailerMailVerifier {
  return new NodemailerMailVerifier({
    timeoutMs: 5000,
    allowPrivateHosts: true,
    tls: { ca: certificate.cert },
    // The test servers listen on ephemeral ports; the SMTP port allowlist has its own tests.
    allowPort: () => true,
    ...overrides,
  });
}

function login(host: string, port: number, password = PASSWORD): SmtpLogin {
  return { emailAddress: USER, host, port, username: USER, password };
}

beforeAll(() => {
  certificate = generateTestCertificate([
    'DNS:localhost',
    'DNS:mail.test',
    ...LOOPBACK_FOR_465.map((ip) => `IP:${ip}`),
  ]);
});

afterAll(async () => {
  for (const socket of netSockets) socket.destroy();
  await Promise.all([
    ...smtpServers.map((server) => server.close()),
    ...netServers.map((server) => new Promise((resolve) => server.close(resolve))),
  ]);
});

describe('NodemailerMailVerifier against a real SMTP server', () => {
  describe('STARTTLS with AUTH', () => {
    let server: TestSmtpServer;
    beforeAll(async () => {
      server = await startSmtp();
    });

    it.each(['PLAIN', 'LOGIN'])(
      'accepts the right credentials over AUTH %s, byte for byte',
      async (method) => {
        const only = await startSmtp({ authMethods: [method] });

        const result = await verifier().verify(login('localhost', only.port));

        expect(result).toEqual({ ok: true, value: undefined });
        expect(only.logins).toEqual([{ username: USER, password: PASSWORD, method }]);
        expect(Buffer.from(only.logins[0]?.password ?? '')).toEqual(Buffer.from(PASSWORD, 'utf8'));
      },
    );

    it('connects to the address it checked and verifies the certificate against the name the user gave', async () => {
      const lookups: string[] = [];
      const resolve = async (host: string) => {
        lookups.push(host);
        return ['127.0.0.1'];
      };

      // mail.test exists only in this resolver, so the connection cannot have done a lookup of its own.
      const result = await verifier({ resolve }).verify(login('mail.test', server.port));

      expect(result).toEqual({ ok: true, value: undefined });
      expect(lookups).toEqual(['mail.test']);
    });

    it('reports a wrong password without passing on what the server said', async () => {
      const result = await verifier().verify(login('localhost', server.port, 'wrong-pässwörd'));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_auth_failed',
          detail: 'SMTP authentication failed - check username and password',
        },
      });
      expect(JSON.stringify(result)).not.toContain('CANARY');
      expect(server.logins.at(-1)?.password).toBe('wrong-pässwörd');
    });

    it('refuses a certificate it does not trust', async () => {
      const result = await new NodemailerMailVerifier({
        timeoutMs: 5000,
        allowPrivateHosts: true,
        allowPort: () => true,
      }).verify(login('localhost', server.port));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_tls_failed',
          detail: `Could not set up a trusted TLS connection to localhost:${server.port}: the handshake or the certificate check failed (${PORTS_HINT}).`,
        },
      });
    });

    it('refuses a trusted certificate that does not name the host the user gave', async () => {
      const result = await verifier({ resolve: async () => ['127.0.0.1'] }).verify(
        login('other-name.test', server.port),
      );

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_tls_failed',
          detail: `Could not set up a trusted TLS connection to other-name.test:${server.port}: the handshake or the certificate check failed (${PORTS_HINT}).`,
        },
      });
    });
  });

  describe('implicit TLS on port 465', () => {
    it('accepts the right credentials', async () => {
      const server = await startSmtpOn465({ secure: true });

      const result = await verifier().verify(login(server.host, 465));

      expect(result).toEqual({ ok: true, value: undefined });
      expect(server.logins).toEqual([{ username: USER, password: PASSWORD, method: 'PLAIN' }]);
    });

    it('reports a TLS failure when port 465 speaks plaintext ("wrong version number")', async () => {
      const server = await startSmtpOn465({});

      const result = await verifier().verify(login(server.host, 465));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_tls_failed',
          detail: `Could not set up a trusted TLS connection to ${server.host}:465: the handshake or the certificate check failed (${PORTS_HINT}).`,
        },
      });
      expect(server.logins).toEqual([]);
    });
  });

  describe('servers whose login would prove nothing', () => {
    it('never sends the password when the server offers no STARTTLS', async () => {
      const server = await startSmtp({ hideSTARTTLS: true });

      const result = await verifier().verify(login('127.0.0.1', server.port));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_tls_required',
          detail: `The SMTP server at 127.0.0.1:${server.port} does not offer STARTTLS, so the password was not sent; use a port with TLS (${PORTS_HINT}).`,
        },
      });
      expect(server.logins).toEqual([]);
    });

    it('does not count a server that offers no AUTH as a validated login', async () => {
      const server = await startSmtp({ authOptional: true, disabledCommands: ['AUTH'] });

      const result = await verifier().verify(login('localhost', server.port, 'any password at all'));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_auth_not_offered',
          detail: `The SMTP server at localhost:${server.port} does not offer authentication (AUTH), so the username and password could not be checked.`,
        },
      });
      expect(server.logins).toEqual([]);
    });

    it('does not count AUTH with no mechanism it can use (only XOAUTH2) as offered', async () => {
      const server = await startSmtp({ authMethods: ['XOAUTH2'] });

      const result = await verifier().verify(login('localhost', server.port));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_auth_not_offered',
          detail: `The SMTP server at localhost:${server.port} offers no login method this service supports (PLAIN, LOGIN or CRAM-MD5).`,
        },
      });
      expect(server.logins).toEqual([]);
    });
  });

  describe('unreachable servers', () => {
    it('reports a refused connection', async () => {
      const port = await unusedPort();

      const result = await verifier().verify(login('127.0.0.1', port));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_connection_refused',
          detail: `Could not connect to 127.0.0.1:${port}: the connection was refused. Check the SMTP host and port.`,
        },
      });
    });

    it.each([
      ['a server that never greets', async () => (await startSilentServer()).port],
      ['an implicit-TLS server reached without TLS', async () => (await startSmtp({ secure: true })).port],
    ])('gives up on %s within the timeout', async (_, listen) => {
      const port = await listen();
      const started = performance.now();

      const result = await verifier({ timeoutMs: 300 }).verify(login('127.0.0.1', port));

      expect(performance.now() - started).toBeLessThan(2000);
      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_timeout',
          detail: `The SMTP server at 127.0.0.1:${port} did not answer in time; check the host and port (${PORTS_HINT}).`,
        },
      });
    });

    it('bounds a DNS lookup that never answers by the same timeout', async () => {
      const started = performance.now();

      const result = await verifier({ timeoutMs: 300, resolve: () => new Promise(() => {}) }).verify(
        login('hang.test', 587),
      );

      expect(performance.now() - started).toBeLessThan(2000);
      expect(result).toMatchObject({ ok: false, failure: { code: 'smtp_timeout' } });
    });

    it('reports a host name that does not resolve', async () => {
      const result = await verifier().verify(login('no-such-host.invalid', 587));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_host_not_allowed',
          detail:
            'The SMTP host no-such-host.invalid cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.',
        },
      });
    });
  });

  describe('SSRF guard', () => {
    let listener: { port: number; connections: () => number };
    beforeAll(async () => {
      listener = await startSilentServer();
    });

    it.each([
      ['127.0.0.1', '127.0.0.1'],
      ['localhost', 'localhost'],
      ['10.0.0.5', '10.0.0.5'],
      ['169.254.169.254', '169.254.169.254'],
      ['[::1]', '::1'],
      ['::1', '::1'],
      ['::ffff:127.0.0.1', '::ffff:127.0.0.1'],
      ['0.0.0.0', '0.0.0.0'],
    ])('refuses %s without connecting', async (host, shownHost) => {
      const result = await verifier({ allowPrivateHosts: false }).verify(login(host, listener.port));

      expect(result).toEqual({
        ok: false,
        failure: {
          code: 'smtp_host_not_allowed',
          detail: `The SMTP host ${shownHost} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
        },
      });
      expect(listener.connections()).toBe(0);
    });

    it('refuses a host when any one of its addresses is private', async () => {
      const resolve = async () => ['93.184.216.34', '127.0.0.1'];

      const result = await verifier({ allowPrivateHosts: false, resolve }).verify(
        login('mixed.test', listener.port),
      );

      expect(result).toMatchObject({ ok: false, failure: { code: 'smtp_host_not_allowed' } });
      expect(listener.connections()).toBe(0);
    });
  });

  it.each([
    ['a line break in the host', 'smtp.example.com\r\nRCPT TO:<x@example.com>', USER],
    ['a line break in the username', 'smtp.example.com', 'user\r\nAUTH PLAIN'],
    ['a NUL in the username', 'smtp.example.com', 'user\u0000'],
  ])('rejects %s before connecting', async (_, host, username) => {
    const result = await verifier().verify({ ...login(host, 587), username });

    expect(result).toEqual({
      ok: false,
      failure: {
        code: 'invalid_request',
        detail: 'The SMTP host and username must not contain line breaks or control characters.',
      },
    });
  });
});
