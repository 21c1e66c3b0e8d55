import { isIP } from 'node:net';
import { ImapFlow } from 'imapflow';
import type { ImapLogin } from '../../../application/ports/mailbox-reader.js';
import { fail, type Result } from '../../../domain/result.js';
import { allowedAddress, canonicalHost, systemResolve, TLS_ERROR_CODE } from '../network-address-policy.js';
import { serverName, within } from '../smtp/checked-smtp-session.js';

/** How connections to users' IMAP servers are made: the SMTP options, with IMAP's ports. */
export interface ImapConnectionOptions {
  /** Bound in ms on each step (DNS, connect, greeting, TLS, every reply) and on the whole login. */
  readonly timeoutMs: number;
  /** Let connections reach loopback, private and other non-public addresses (SMTP_ALLOW_PRIVATE_HOSTS). */
  readonly allowPrivateHosts: boolean;
  /** CA certificates to trust instead of Node's default store (a test's self-signed certificate). */
  readonly tls?: { readonly ca?: string | string[] };
  readonly resolve?: (host: string) => Promise<string[]>;
  /** Which ports may be connected to; defaults to 143 and 993. */
  readonly allowPort?: (port: number) => boolean;
  /** The ports spoken to with implicit TLS (all others need STARTTLS); 993 unless a test listens elsewhere. */
  readonly implicitTlsPorts?: readonly number[];
}

/** IMAP with STARTTLS (143) and implicit TLS (993). */
export const IMAP_PORTS: readonly number[] = [143, 993];

const TLS_PORTS_HINT = 'port 993 uses implicit TLS, other ports must offer STARTTLS';
const CONTROL_CHARACTERS = /\p{Cc}/u;

/**
 * Opens logged-in IMAP sessions with imapflow: implicit TLS on 993, otherwise plaintext with a required
 * STARTTLS (no upgrade offered: the password is never sent), certificates checked against the name the
 * user gave while the connection goes to the address the policy checked (as for SMTP).
 */
export class CheckedImapConnector {
  private readonly resolve: (host: string) => Promise<string[]>;
  private readonly allowPort: (port: number) => boolean;

  constructor(private readonly options: ImapConnectionOptions) {
    this.resolve = options.resolve ?? systemResolve;
    this.allowPort = options.allowPort ?? ((port) => IMAP_PORTS.includes(port));
  }

  /**
   * Runs `work` on a logged-in session, then logs out; the whole of it bounded by the timeout (`work` may
   * take longer when it asks for `longer` ms, for reading many messages).
   */
  async session<T>(
    login: ImapLogin,
    work: (client: ImapFlow) => Promise<Result<T>>,
    longer = 0,
  ): Promise<Result<T>> {
    if (CONTROL_CHARACTERS.test(login.host) || CONTROL_CHARACTERS.test(login.username)) {
      return fail(
        'invalid_request',
        'The IMAP host and username must not contain line breaks or control characters.',
      );
    }
    if (
      !Number.isInteger(login.port) ||
      login.port < 1 ||
      login.port > 65535 ||
      !this.allowPort(login.port)
    ) {
      return fail(
        'imap_port_not_allowed',
        `The IMAP port ${login.port} is not one this service connects to; use 993 (TLS) or 143 (STARTTLS).`,
      );
    }
    const host = canonicalHost(login.host);
    if (host === null) return hostRefused(login.host);
    const server = serverName(host, login.port);
    const overall = new AbortController();
    const timer = setTimeout(() => overall.abort(), this.options.timeoutMs + longer);
    let client: ImapFlow | undefined;
    try {
      const address = await within(
        allowedAddress(host, { allowPrivateHosts: this.options.allowPrivateHosts, resolve: this.resolve }),
        overall.signal,
      );
      if (address === null) return hostRefused(host);
      client = this.clientFor(host, address, login);
      const connected = client;
      // Socket failures after connecting arrive as 'error' events; an unheard one would end the process.
      connected.on('error', () => {});
      return await within(
        connected.connect().then(() => work(connected)),
        overall.signal,
      );
    } catch (error) {
      return overall.signal.aborted ? timedOut(server) : describeError(error, server);
    } finally {
      clearTimeout(timer);
      if (client !== undefined) close(client, overall.signal.aborted);
    }
  }

  private clientFor(host: string, address: string, login: ImapLogin): ImapFlow {
    const { timeoutMs } = this.options;
    const ca = this.options.tls?.ca;
    const implicitTls = (this.options.implicitTlsPorts ?? [993]).includes(login.port);
    return new ImapFlow({
      host: address,
      port: login.port,
      secure: implicitTls,
      // Required: a server that offers no STARTTLS fails the connection before any login is sent.
      ...(implicitTls ? {} : { doSTARTTLS: true }),
      // The certificate is checked against this name; an IP-literal host is checked against the IP.
      ...(isIP(host) ? {} : { servername: host }),
      tls: ca === undefined ? {} : { ca },
      auth: { user: login.username, pass: login.password },
      logger: false,
      disableAutoIdle: true,
      disableCompression: true,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      clientInfo: { name: 'social-integrations' },
    });
  }
}

function close(client: ImapFlow, abandoned: boolean): void {
  if (!abandoned && client.usable) {
    client.logout().catch(() => client.close());
    return;
  }
  client.close();
}

// One answer whether the name does not resolve or resolves to an internal address (as for SMTP).
function hostRefused(host: string): Result<never> {
  return fail(
    'imap_host_not_allowed',
    `The IMAP host ${host} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
  );
}

function timedOut(server: string): Result<never> {
  return fail(
    'imap_timeout',
    `The IMAP server at ${server} did not answer in time; check the host and port (${TLS_PORTS_HINT}).`,
  );
}

interface ImapError {
  readonly code?: string;
  readonly authenticationFailed?: boolean;
  readonly tlsFailed?: boolean;
  readonly message?: string;
}

/** Maps an imapflow or socket error to a failure; the server's own words never reach the detail. */
function describeError(error: unknown, server: string): Result<never> {
  const { code, authenticationFailed, tlsFailed, message } = (error ?? {}) as ImapError;
  if (authenticationFailed === true) {
    return fail('imap_auth_failed', 'IMAP authentication failed - check the IMAP username and password.');
  }
  if (
    tlsFailed === true ||
    TLS_ERROR_CODE.test(code ?? '') ||
    /wrong version number|certificate/i.test(message ?? '')
  ) {
    return fail(
      'imap_tls_failed',
      `Could not set up a trusted TLS connection to the IMAP server at ${server}: it offers no STARTTLS, or the handshake or certificate check failed, so the password was not sent (${TLS_PORTS_HINT}).`,
    );
  }
  if (
    code === 'CONNECT_TIMEOUT' ||
    code === 'GREETING_TIMEOUT' ||
    code === 'ETIMEOUT' ||
    code === 'ETIMEDOUT'
  ) {
    return timedOut(server);
  }
  if (code === 'ECONNREFUSED') {
    return fail(
      'imap_connection_failed',
      `Could not connect to the IMAP server at ${server}: the connection was refused. Check the IMAP host and port.`,
    );
  }
  return fail(
    'imap_connection_failed',
    `The IMAP session with ${server} failed: the connection was closed or broke off, or INBOX could not be opened. Check the IMAP host and port.`,
  );
}
