import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImapflowMailboxReader } from '../../src/adapters/gateways/imap/imapflow-mailbox-reader.js';
import type { EncryptedSecret } from '../../src/domain/integration.js';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import {
  dovecotEmailBody,
  dovecotReader,
  dovecotUnavailableReason,
  startTestDovecot,
  type TestDovecot,
} from '../support/dovecot-server.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { type LoopbackApp, serveOnLoopback } from '../support/loopback-app.js';
import { type SilentServer, startSilentServer } from '../support/silent-server.js';
import {
  IMPOSSIBLE_HOSTS,
  INTERNAL_ADDRESS_LITERALS,
  INTERNAL_NAMES,
  ssrfResolver,
} from '../support/ssrf-corpus.js';
import { createTestApp } from '../support/test-app.js';

const unavailable = dovecotUnavailableReason();
const WRONG_PASSWORD = 'CANARY_IMAP_wrong-password-3b1d';

interface Harness {
  readonly http: LoopbackApp;
  readonly app: Awaited<ReturnType<typeof createTestApp>>;
}

async function serve(database: TestDatabase, mailboxReader: ImapflowMailboxReader): Promise<Harness> {
  const app = await createTestApp(database, { mailboxReader });
  return { app, http: await serveOnLoopback(app.app.fetch) };
}

describe.skipIf(unavailable !== null)('IMAP fields of an email integration, over HTTP', () => {
  let database: TestDatabase;
  let dovecot: TestDovecot;
  let plaintextOnly: TestDovecot;
  let silent: SilentServer;
  let harness: Harness;

  beforeAll(async () => {
    [database, dovecot, plaintextOnly, silent] = await Promise.all([
      pgliteTestDatabase(),
      startTestDovecot(),
      startTestDovecot({ starttls: false }),
      startSilentServer(),
    ]);
    harness = await serve(
      database,
      dovecotReader(
        dovecot,
        [dovecot.tlsPort, dovecot.plainPort, plaintextOnly.plainPort, silent.port],
        1500,
      ),
    );
  });
  afterAll(async () => {
    await harness?.http.close();
    await Promise.all([dovecot?.stop(), plaintextOnly?.stop(), silent?.close(), database?.dispose()]);
  });

  const create = (userId: string, body: unknown) =>
    harness.http.call('POST', `/api/integrations?user_id=${userId}`, body);
  const stored = async (userId: string) =>
    (await (await harness.http.call('GET', `/api/integrations?user_id=${userId}`)).json()) as unknown[];
  const emailCapability = async (userId: string) =>
    (await harness.http.call('GET', `/api/integrations/email/capabilities?user_id=${userId}`)).json();

  it.each([
    ['implicit TLS', () => dovecot.tlsPort],
    ['STARTTLS', () => dovecot.plainPort],
  ])('checks the IMAP login over %s before saving; can_read_messages then holds', async (_name, port) => {
    const userId = uniqueUserId();
    const response = await create(
      userId,
      dovecotEmailBody(dovecot, { imap_host: 'localhost', imap_port: port() }),
    );
    const text = await response.text();

    expect(response.status).toBe(201);
    expect(JSON.parse(text)).toMatchObject({
      imap_host: 'localhost',
      imap_port: port(),
      // Defaults to the SMTP login.
      imap_username: dovecot.user,
      imap_password: '********',
    });
    expect(text).not.toContain(dovecot.password);
    const [row] = await selectRows<{ imap_password: string; imap_uid_validity: string }>(
      database,
      sql`select imap_password, imap_uid_validity from social_integrations where user_id = ${userId}`,
    );
    expect(row?.imap_password).toMatch(/^gAAAAA/);
    expect(await harness.app.cipher.open(row?.imap_password as EncryptedSecret)).toBe(dovecot.password);
    expect(Number(row?.imap_uid_validity)).toBeGreaterThan(0);
    expect(await emailCapability(userId)).toMatchObject({
      can_send_dm: true,
      can_read_messages: true,
      limitations: [],
    });
    expect(harness.app.logLines.join('\n')).not.toContain(dovecot.password);
  });

  it('validates on demand with the IMAP login too', async () => {
    const userId = uniqueUserId();
    await create(userId, dovecotEmailBody(dovecot, { imap_host: 'localhost', imap_port: dovecot.tlsPort }));
    const validated = await harness.http.call('POST', `/api/integrations/email/validate?user_id=${userId}`);
    expect(await validated.json()).toMatchObject({ valid: true, detail: null });
  });

  it.each([
    [
      'a wrong password',
      () => ({ imap_host: 'localhost', imap_port: dovecot.plainPort, imap_password: WRONG_PASSWORD }),
      'imap_auth_failed',
      'IMAP authentication failed - check the IMAP username and password.',
    ],
    [
      'a server that offers no STARTTLS',
      () => ({ imap_host: 'localhost', imap_port: plaintextOnly.plainPort }),
      'imap_tls_failed',
      /offers no STARTTLS.*so the password was not sent/,
    ],
    [
      'a server that never answers',
      () => ({ imap_host: '127.0.0.1', imap_port: silent.port }),
      'imap_timeout',
      /did not answer in time/,
    ],
    [
      'a port outside 143 and 993',
      () => ({ imap_host: 'localhost', imap_port: 6379 }),
      'imap_port_not_allowed',
      /port 6379 is not one this service connects to/,
    ],
  ])('answers %s with 400 and saves nothing', async (_name, imap, code, detail) => {
    const userId = uniqueUserId();
    const response = await create(userId, dovecotEmailBody(dovecot, imap()));
    const text = await response.text();

    expect(response.status).toBe(400);
    const body = JSON.parse(text) as { code: string; detail: string };
    expect(body.code).toBe(code);
    expect(body.detail).toMatch(detail);
    expect(text).not.toContain(WRONG_PASSWORD);
    expect(await stored(userId)).toEqual([]);
    expect(plaintextOnly.log()).not.toMatch(/Login: user=/);
  });

  it('refuses IMAP fields without imap_host', async () => {
    const response = await create(uniqueUserId(), dovecotEmailBody(dovecot, { imap_port: 993 }));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 'invalid_request' });
  });
});

describe('SSRF corpus on imap_host, over HTTP: refused, nothing saved, nothing connected', () => {
  let database: TestDatabase;
  let sinkhole: SilentServer;
  const lookups: string[] = [];
  let harness: Harness;

  beforeAll(async () => {
    [database, sinkhole] = await Promise.all([pgliteTestDatabase(), startSilentServer()]);
    // The production guard, except that the sinkhole's port counts as an IMAP port so a slip would reach it.
    harness = await serve(
      database,
      new ImapflowMailboxReader({
        timeoutMs: 2000,
        allowPrivateHosts: false,
        allowPort: (port) => port === sinkhole.port,
        resolve: ssrfResolver(lookups),
      }),
    );
  });
  afterAll(async () => {
    await harness?.http.close();
    await Promise.all([sinkhole?.close(), database?.dispose()]);
  });

  const hosts = [...INTERNAL_ADDRESS_LITERALS, ...INTERNAL_NAMES].map(([host]) => host);
  it.each([...hosts, ...IMPOSSIBLE_HOSTS.map(([, host]) => host)])('refuses %s', async (host) => {
    const userId = uniqueUserId();
    const response = await harness.http.call('POST', `/api/integrations?user_id=${userId}`, {
      platform: 'email',
      email_address: 'me@example.com',
      smtp_host: 'smtp.example.com',
      smtp_port: 587,
      smtp_username: 'me@example.com',
      smtp_password: 'CANARY_PW_imap_ssrf',
      imap_host: host,
      imap_port: sinkhole.port,
    });
    const body = (await response.json()) as { code: string };

    expect(response.status).toBe(400);
    // Hosts the request schema already refuses (non-ASCII, user info, paths) never reach the policy.
    expect(['imap_host_not_allowed', 'invalid_request']).toContain(body.code);
    const listed = await harness.http.call('GET', `/api/integrations?user_id=${userId}`);
    expect(await listed.json()).toEqual([]);
    expect(sinkhole.connections()).toBe(0);
  });
});
