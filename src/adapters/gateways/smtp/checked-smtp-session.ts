import { isIP } from 'node:net';
import SMTPConnection, { type SMTPError } from 'nodemailer/lib/smtp-connection';
import type { SmtpLogin } from '../../../application/ports/mail-verifier.js';
import { fail, ok, type Result } from '../../../domain/result.js';
import { allowedAddress, canonicalHost, systemResolve, TLS_ERROR_CODE } from '../network-address-policy.js';

/** How connections to users' SMTP servers are made, for checking logins and for sending. */
export interface SmtpConnectionOptions {
  /** Bound in ms on each step (DNS, connect, greeting, TLS, every reply) and on the whole check. */
  readonly timeoutMs: number;
  /** Let the check reach loopback, private and other non-public addresses. For tests and trusted setups only. */
  readonly allowPrivateHosts: boolean;
  /**
   * CA certificates to trust instead of Node's default store (e.g. a test's self-signed certificate).
   * Without it, Node's store plus NODE_EXTRA_CA_CERTS apply.
   */
  readonly tls?: { readonly ca?: string | string[] };
  /** Resolves a host name to IP addresses; defaults to the system resolver (`dns.lookup`, so /etc/hosts counts). */
  readonly resolve?: (host: string) => Promise<string[]>;
  /** Which ports the check may connect to; defaults to the SMTP ports in {@link SMTP_PORTS}. */
  readonly allowPort?: (port: number) => boolean;
}

/** SMTP relay (25), implicit TLS (465), submission (587) and the common alternative (2525). */
export const SMTP_PORTS: readonly number[] = [25, 465, 587, 2525];

const AUTH_FAILED_DETAIL = 'SMTP authentication failed - check username and password';
const TLS_PORTS_HINT = 'port 465 uses implicit TLS and port 587 uses STARTTLS';
const CONTROL_CHARACTERS = /\p{Cc}/u;

/**
 * Opens logged-in sessions with nodemailer's `SMTPConnection`: connect (implicit TLS on port 465,
 * otherwise plaintext plus a mandatory STARTTLS), require AUTH to be offered, then log in.
 *
 * The host is user-chosen, so connecting is SSRF-safe: every address the host resolves to must be public
 * unicast (unless `allowPrivateHosts`), and the connection goes to the checked address itself while the
 * certificate is verified against the name the user gave.
 */
export class CheckedSmtpConnector {
  private readonly resolve: (host: string) => Promise<string[]>;
  private readonly allowPort: (port: number) => boolean;

  constructor(private readonly options: SmtpConnectionOptions) {
    this.resolve = options.resolve ?? systemResolve;
    this.allowPort = options.allowPort ?? ((port) => SMTP_PORTS.includes(port));
  }

  /** A session logged in as `login`, bounded by the timeout as a whole; the caller releases it. */
  async open(login: SmtpLogin): Promise<Result<SMTPConnection>> {
    if (CONTROL_CHARACTERS.test(login.host) || CONTROL_CHARACTERS.test(login.username)) {
      return fail(
        'invalid_request',
        'The SMTP host and username must not contain line breaks or control characters.',
      );
    }
    if (!Number.isInteger(login.port) || login.port < 1 || login.port > 65535) {
      return fail('invalid_request', 'The SMTP port must be a whole number from 1 to 65535.');
    }
    // Refused before anything else, so the check cannot be pointed at other services (Redis, SSH, ...).
    if (!this.allowPort(login.port)) {
      return fail(
        'smtp_port_not_allowed',
        `The SMTP port ${login.port} is not one this service connects to; use 465 (TLS) or 587 (STARTTLS).`,
      );
    }
    const host = canonicalHost(login.host);
    if (host === null) return hostRefused(login.host);
    const server = serverName(host, login.port);

    const overall = new AbortController();
    const timer = setTimeout(() => overall.abort(), this.options.timeoutMs);
    let connection: SMTPConnection | undefined;
    let opened = false;
    try {
      const address = await within(this.allowedAddress(host), overall.signal);
      if (!address.ok) return address;
      connection = this.connectionTo(host, address.value, login.port);
      const loggedIn = await within(logIn(connection, login, server), overall.signal);
      opened = loggedIn.ok;
      return loggedIn.ok ? ok(connection) : loggedIn;
    } catch (error) {
      return overall.signal.aborted ? timedOut(server) : describeError(error, server);
    } finally {
      clearTimeout(timer);
      if (connection && !opened) release(connection, overall.signal.aborted);
    }
  }

  /** The address to connect to, once every address of the host has passed the network policy. */
  private async allowedAddress(host: string): Promise<Result<string>> {
    const address = await allowedAddress(host, {
      allowPrivateHosts: this.options.allowPrivateHosts,
      resolve: this.resolve,
    });
    return address === null ? hostRefused(host) : ok(address);
  }

  private connectionTo(host: string, address: string, port: number): SMTPConnection {
    const timeoutMs = this.options.timeoutMs;
    const ca = this.options.tls?.ca;
    return new SMTPConnection({
      host: address,
      port,
      secure: port === 465,
      // The certificate is checked against this name; an IP-literal host is checked against the IP.
      ...(isIP(host) ? {} : { servername: host }),
      tls: ca === undefined ? {} : { ca },
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
      socketCloseTimeout: timeoutMs,
    });
  }
}

/** EHLO (plus STARTTLS), then AUTH only over TLS and only when the server offers it. */
async function logIn(connection: SMTPConnection, login: SmtpLogin, server: string): Promise<Result<void>> {
  // Socket-level failures arrive only as 'error' events (an unheard one would crash the process).
  const failed = new Promise<never>((_, reject) => connection.on('error', reject));
  await Promise.race([
    new Promise<void>((resolve, reject) =>
      connection.connect((error) => (error ? reject(error) : resolve())),
    ),
    failed,
  ]);
  // nodemailer upgrades only when STARTTLS is advertised; a session left in plaintext gets no password.
  if (!connection.secure) {
    return fail(
      'smtp_tls_required',
      `The SMTP server at ${server} does not offer STARTTLS, so the password was not sent; use a port with TLS (${TLS_PORTS_HINT}).`,
    );
  }
  // nodemailer's own verify() would skip the login here and report success without checking the password.
  if (!connection.allowsAuth) {
    return fail(
      'smtp_auth_not_offered',
      `The SMTP server at ${server} does not offer authentication (AUTH), so the username and password could not be checked.`,
    );
  }
  await Promise.race([
    new Promise<void>((resolve, reject) =>
      connection.login({ user: login.username, pass: login.password }, (error) =>
        error ? reject(error) : resolve(),
      ),
    ),
    failed,
  ]);
  return ok(undefined);
}

/** `host:port` as error sentences name the server. */
export function serverName(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Settles like `work`, or rejects as soon as `signal` aborts. */
export function within<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(new Error('SMTP check timed out'));
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}

/** QUIT and close a live session; cut a timed-out one off at once. Both are no-ops once nodemailer has closed it. */
export function release(connection: SMTPConnection, abandoned: boolean): void {
  if (!abandoned) connection.quit();
  connection.close();
  if (abandoned && connection._socket) connection._socket.destroy();
}

// One answer whether the name does not resolve or resolves to an internal address: two would tell a
// caller which internal names exist (R14).
function hostRefused(host: string): Result<never> {
  return fail(
    'smtp_host_not_allowed',
    `The SMTP host ${host} cannot be used: it was not found, or it points to a private or reserved network address, which this service does not connect to.`,
  );
}

export function timedOut(server: string): Result<never> {
  return fail(
    'smtp_timeout',
    `The SMTP server at ${server} did not answer in time; check the host and port (${TLS_PORTS_HINT}).`,
  );
}

/** Maps a nodemailer or socket error to a failure; the server's own words never reach the detail. */
export function describeError(error: unknown, server: string): Result<never> {
  const { code, originalCode, responseCode, message } = (error ?? {}) as Partial<SMTPError>;
  if (code === 'EAUTH' && responseCode === 504) {
    // AUTH is advertised, but with no mechanism nodemailer can use (it falls back to PLAIN, which is refused).
    return fail(
      'smtp_auth_not_offered',
      `The SMTP server at ${server} offers no login method this service supports (PLAIN, LOGIN or CRAM-MD5).`,
    );
  }
  if (code === 'EAUTH' || responseCode === 530 || responseCode === 534 || responseCode === 535) {
    return fail('smtp_auth_failed', AUTH_FAILED_DETAIL);
  }
  if (
    code === 'ETLS' ||
    TLS_ERROR_CODE.test(originalCode ?? '') ||
    /wrong version number/i.test(message ?? '')
  ) {
    return fail(
      'smtp_tls_failed',
      `Could not set up a trusted TLS connection to ${server}: the handshake or the certificate check failed (${TLS_PORTS_HINT}).`,
    );
  }
  if (originalCode === 'ECONNREFUSED') {
    return fail(
      'smtp_connection_refused',
      `Could not connect to ${server}: the connection was refused. Check the SMTP host and port.`,
    );
  }
  if (code === 'ETIMEDOUT' || originalCode === 'ETIMEDOUT') return timedOut(server);
  return fail(
    'smtp_connection_failed',
    `The SMTP session with ${server} failed: the connection was closed or broke off unexpectedly. Check the SMTP host and port.`,
  );
}
