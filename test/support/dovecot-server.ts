import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { ImapflowMailboxReader } from '../../src/adapters/gateways/imap/imapflow-mailbox-reader.js';
import { generateTestCertificate, type TestCertificate } from './smtp-test-server.js';

const DOVECOT = ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot'].find((path) => existsSync(path));
// A dovecot whose test process died goes on no longer than this.
const LIFETIME_SECONDS = 600;

/**
 * Why a real IMAP server cannot be started here, or null when it can. In CI (`CI=true`) and with
 * `REQUIRE_DOVECOT=1` a missing dovecot is an error, so the IMAP tests cannot pass without having run.
 */
export function dovecotUnavailableReason(): string | null {
  if (DOVECOT !== undefined) return null;
  const reason = 'dovecot is not installed (apt-get install dovecot-imapd)';
  if (process.env.CI === 'true' || process.env.REQUIRE_DOVECOT === '1') {
    throw new Error(`CI=true or REQUIRE_DOVECOT=1 but ${reason}`);
  }
  console.warn(`Skipping the real-IMAP tests: ${reason}`);
  return reason;
}

export interface TestDovecot {
  readonly host: '127.0.0.1';
  /** Implicit TLS (as 993). */
  readonly tlsPort: number;
  /** Plaintext that offers STARTTLS (as 143), or, with `starttls: false`, one that offers no TLS at all. */
  readonly plainPort: number;
  readonly user: string;
  readonly password: string;
  readonly certificate: TestCertificate;
  /** Puts a raw RFC 5322 message into the user's INBOX (IMAP APPEND over TLS); resolves to its UID. */
  deliver(raw: string): Promise<number>;
  /** The lines dovecot logged so far. */
  log(): string;
  stop(): Promise<void>;
}

export interface TestDovecotOptions {
  /** False: no TLS anywhere (the plaintext port offers no STARTTLS); the TLS port is then unused. */
  readonly starttls?: boolean;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Who dovecot's processes run as: as root its login and internal users (Debian's package makes them), else ourselves. */
function accounts() {
  const me = userInfo();
  if (me.uid !== 0) {
    return { login: me.username, internal: me.username, group: String(me.gid), uid: me.uid, gid: me.gid };
  }
  const id = (flag: string, name: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8' }));
  return {
    login: 'dovenull',
    internal: 'dovecot',
    group: 'dovecot',
    uid: id('-u', 'dovecot'),
    gid: id('-g', 'dovecot'),
  };
}

function configuration(dir: string, tlsPort: number, plainPort: number, starttls: boolean): string {
  const who = accounts();
  const groupLine = who.group === 'dovecot' ? 'default_internal_group = dovecot' : '';
  return `
base_dir = ${dir}/run
state_dir = ${dir}/state
instance_name = test-${plainPort}
listen = 127.0.0.1
protocols = imap
log_path = ${dir}/dovecot.log
default_internal_user = ${who.internal}
${groupLine}
default_login_user = ${who.login}
ssl = ${starttls ? 'yes' : 'no'}
${starttls ? `ssl_cert = <${dir}/cert.pem\nssl_key = <${dir}/key.pem` : ''}
disable_plaintext_auth = ${starttls ? 'yes' : 'no'}
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
first_valid_uid = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/passwd
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/passwd
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${plainPort}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${starttls ? tlsPort : 0}
    ssl = yes
  }
}
service anvil {
  chroot =
}
`;
}

async function listening(port: number, child: ChildProcess, logFile: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) break;
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
  throw new Error(`dovecot did not start listening on ${port}: ${log}`);
}

/**
 * A throwaway dovecot on loopback: its own configuration, state and Maildir in a temp directory, one
 * passwd-file user, a fresh self-signed certificate for `localhost` and 127.0.0.1, and two listeners
 * (implicit TLS, and plaintext with STARTTLS). It is stopped by `stop()`, and by itself after
 * LIFETIME_SECONDS or as soon as the test process that started it is gone.
 */
export async function startTestDovecot(options: TestDovecotOptions = {}): Promise<TestDovecot> {
  if (DOVECOT === undefined) throw new Error('dovecot is not installed');
  const starttls = options.starttls ?? true;
  const dir = mkdtempSync(join(tmpdir(), 'dovecot-test-'));
  execFileSync('chmod', ['0755', dir]);
  const certificate = generateTestCertificate(['DNS:localhost', 'IP:127.0.0.1']);
  writeFileSync(join(dir, 'cert.pem'), certificate.cert);
  writeFileSync(join(dir, 'key.pem'), certificate.key, { mode: 0o600 });
  const who = accounts();
  const user = 'mailbox@example.test';
  const password = `imap-pw-${Math.random().toString(36).slice(2)}`;
  const home = join(dir, 'home');
  mkdirSync(home);
  execFileSync('chown', [`${who.uid}:${who.gid}`, home]);
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}:${who.uid}:${who.gid}::${home}\n`);
  const [tlsPort, plainPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'dovecot.conf');
  writeFileSync(configFile, configuration(dir, tlsPort, plainPort, starttls));
  const logFile = join(dir, 'dovecot.log');
  // Its own process group, which the shell kills whole (dovecot takes seconds to stop on SIGTERM) when our
  // end of its stdin closes (this process exited or stop() was called) or the lifetime is up.
  const child = spawn(
    'sh',
    [
      '-c',
      `"$0" -F -c "$1" & (sleep ${LIFETIME_SECONDS}; kill -KILL 0) & read _; kill -KILL 0`,
      DOVECOT,
      configFile,
    ],
    { stdio: ['pipe', 'ignore', 'pipe'], detached: true },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  try {
    await listening(plainPort, child, logFile);
  } catch (error) {
    child.stdin?.end();
    throw new Error(`${(error as Error).message}${stderr}`);
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  return {
    host: '127.0.0.1',
    tlsPort,
    plainPort,
    user,
    password,
    certificate,
    async deliver(raw) {
      const client = new ImapFlow({
        host: '127.0.0.1',
        port: starttls ? tlsPort : plainPort,
        secure: starttls,
        doSTARTTLS: starttls ? undefined : false,
        servername: 'localhost',
        tls: { ca: certificate.cert },
        auth: { user, pass: password },
        logger: false,
      });
      await client.connect();
      try {
        const appended = await client.append('INBOX', raw);
        if (appended === false || appended.uid === undefined) throw new Error('APPEND gave no UID');
        return appended.uid;
      } finally {
        await client.logout();
      }
    },
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    async stop() {
      child.stdin?.end();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An email integration to create whose IMAP login is the test dovecot's (SMTP with the same account,
 * for a scripted verifier to accept), with `imap` fields added or overriding.
 */
export const dovecotEmailBody = (dovecot: TestDovecot, imap: Readonly<Record<string, unknown>>) => ({
  platform: 'email',
  email_address: dovecot.user,
  smtp_host: 'smtp.example.com',
  smtp_port: 587,
  smtp_username: dovecot.user,
  smtp_password: dovecot.password,
  ...imap,
});

/**
 * The production IMAP reader, allowed to reach a test dovecot: loopback allowed, its certificate trusted,
 * `ports` connectable and its TLS port spoken to with implicit TLS.
 */
export function dovecotReader(dovecot: TestDovecot, ports: readonly number[], timeoutMs = 5000) {
  return new ImapflowMailboxReader({
    timeoutMs,
    allowPrivateHosts: true,
    tls: { ca: dovecot.certificate.cert },
    allowPort: (port) => ports.includes(port),
    implicitTlsPorts: [dovecot.tlsPort],
  });
}
