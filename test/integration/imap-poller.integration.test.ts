import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleMailboxPolls } from '../../src/adapters/persistence/drizzle-mailbox-polls.js';
import { openPostgres } from '../../src/adapters/persistence/postgres.js';
import { type ClaimedMailbox, NO_EFFECT } from '../../src/application/ports/mailbox-polls.js';
import type { MailboxReader } from '../../src/application/ports/mailbox-reader.js';
import { databaseDrivers, selectRows, type TestDatabase } from '../support/databases.js';
import {
  dovecotEmailBody,
  dovecotReader,
  dovecotUnavailableReason,
  startTestDovecot,
  type TestDovecot,
} from '../support/dovecot-server.js';
import { deliveryReportMail, replyMail } from '../support/inbound-mail.js';
import { uniqueUserId } from '../support/integration-builders.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { createTestApp } from '../support/test-app.js';

const unavailable = dovecotUnavailableReason();
const drivers = await databaseDrivers();

type App = Awaited<ReturnType<typeof createTestApp>>;

interface StoredEvent {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

describe.skipIf(unavailable !== null)('the IMAP poller against a real dovecot', () => {
  let dovecot: TestDovecot;
  beforeAll(async () => {
    dovecot = await startTestDovecot();
  });
  afterAll(() => dovecot?.stop());

  // `keys`: a second instance shares the first one's keyring, as instances of one deployment do.
  const appOn = (database: TestDatabase, keys?: string) =>
    createTestApp(database, {
      mailboxReader: dovecotReader(dovecot, [dovecot.tlsPort]),
      ...(keys === undefined ? {} : { keys }),
    });

  for (const driver of drivers) {
    describe.skipIf(driver.skip)(`on ${driver.name}`, () => {
      let database: TestDatabase;
      let app: App;
      beforeAll(async () => {
        database = await driver.open();
        app = await appOn(database);
      });
      afterAll(() => database?.dispose());

      const call = async (target: App, method: string, path: string, body?: unknown) => {
        const response = await target.app.request(path, {
          method,
          ...(body === undefined
            ? {}
            : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        });
        return { status: response.status, body: (await response.json()) as Record<string, unknown> };
      };

      /** A user whose email integration reads the test mailbox from where it stands now. */
      async function connectedUser(): Promise<string> {
        const userId = uniqueUserId();
        const created = await call(
          app,
          'POST',
          `/api/integrations?user_id=${userId}`,
          dovecotEmailBody(dovecot, { imap_host: 'localhost', imap_port: dovecot.tlsPort }),
        );
        expect(created.status).toBe(201);
        return userId;
      }

      async function send(userId: string, to: string) {
        const sent = await call(app, 'POST', `/api/outreach/email/messages?user_id=${userId}`, {
          to,
          subject: 'hello',
          text: 'Would you like a demo?',
        });
        expect(sent.status).toBe(201);
        return sent.body as { id: string; platform_message_id: string };
      }

      const events = async (userId: string, type: string) => {
        const page = await call(app, 'GET', `/api/events?user_id=${userId}&limit=100`);
        return (page.body.events as StoredEvent[]).filter((event) => event.type === type);
      };

      // Every mailbox due again, as an interval later; a second back, as the database's clock counts
      // microseconds where the poller's counts milliseconds.
      const makeDue = () =>
        database.handle.db.execute(
          sql`update social_integrations set imap_next_poll_at = now() - interval '1 second'`,
        );

      it('turns a reply threaded by In-Reply-To into message.received, once', async () => {
        const userId = await connectedUser();
        const ours = await send(userId, 'bob@example.org');
        await dovecot.deliver(
          replyMail('<not-for-us@example.org>', '<someone-else@example.com>', 'Unrelated'),
        );
        await dovecot.deliver(
          replyMail('<r1@example.org>', ours.platform_message_id, 'Yes please, Tuesday works.'),
        );

        const report = await app.jobs.pollMailboxes();
        expect(report).toMatchObject({ failed: 0, leaseLost: 0 });
        expect(report.received).toBeGreaterThanOrEqual(1);
        const received = await events(userId, 'message.received');
        expect(received).toEqual([
          {
            id: expect.any(String),
            type: 'message.received',
            timestamp: expect.any(String),
            data: {
              user_id: userId,
              platform: 'email',
              sender: 'Bob@Example.org',
              platform_message_id: '<r1@example.org>',
              text: expect.stringContaining('Yes please, Tuesday works.'),
              received_at: '2026-12-02T10:00:00.000Z',
              in_reply_to: ours.id,
            },
          },
        ]);

        await makeDue();
        await app.jobs.pollMailboxes();
        expect(await events(userId, 'message.received')).toHaveLength(1);
      });

      it('finds our message in References when In-Reply-To names another', async () => {
        const userId = await connectedUser();
        const ours = await send(userId, 'carol@example.org');
        await dovecot.deliver(
          replyMail(
            '<r2@example.org>',
            '<her-own@example.org>',
            'Forwarding',
            `${ours.platform_message_id} <her-own@example.org>`,
          ),
        );
        await makeDue();
        await app.jobs.pollMailboxes();
        expect((await events(userId, 'message.received')).map((event) => event.data.in_reply_to)).toEqual([
          ours.id,
        ]);
      });

      it('suppresses the recipient of a permanent-failure DSN as bounced, with recipient.suppressed', async () => {
        const userId = await connectedUser();
        const bounced = await send(userId, 'Nobody@Example.org');
        const delayed = await send(userId, 'slow@example.org');
        await dovecot.deliver(
          deliveryReportMail('<dsn-1@mx>', 'slow@example.org', '4.4.1', delayed.platform_message_id),
        );
        await dovecot.deliver(
          deliveryReportMail('<dsn-2@mx>', 'nobody@example.org', '5.1.1', bounced.platform_message_id),
        );
        // A report of a message that is not ours changes nothing.
        await dovecot.deliver(
          deliveryReportMail('<dsn-3@mx>', 'stranger@example.org', '5.1.1', '<unknown@example.com>'),
        );

        await makeDue();
        const report = await app.jobs.pollMailboxes();
        expect(report.bounced).toBe(1);
        const suppressions = await call(app, 'GET', `/api/outreach/email/suppressions?user_id=${userId}`);
        expect(suppressions.body).toEqual({
          suppressions: [
            { address: 'nobody@example.org', reason: 'bounced', created_at: expect.any(String) },
          ],
        });
        expect((await events(userId, 'recipient.suppressed')).map((event) => event.data)).toEqual([
          { user_id: userId, platform: 'email', recipient: 'nobody@example.org', reason: 'bounced' },
        ]);
        const refused = await call(app, 'POST', `/api/outreach/email/messages?user_id=${userId}`, {
          to: 'nobody@example.org',
          subject: 'again',
          text: 'Hello?',
        });
        expect(refused.body).toMatchObject({ code: 'recipient_suppressed' });
      });

      it('starts after the messages present when the mailbox is renumbered (UIDVALIDITY changed)', async () => {
        const userId = await connectedUser();
        const ours = await send(userId, 'dave@example.org');
        await dovecot.deliver(
          replyMail('<r3@example.org>', ours.platform_message_id, 'Before the renumbering'),
        );
        await database.handle.db.execute(
          sql`update social_integrations set imap_uid_validity = 1, imap_next_poll_at = now() - interval '1 second' where user_id = ${userId}`,
        );
        await app.jobs.pollMailboxes();
        expect(await events(userId, 'message.received')).toEqual([]);
        const [row] = await selectRows<{ imap_uid_validity: string }>(
          database,
          sql`select imap_uid_validity from social_integrations where user_id = ${userId}`,
        );
        expect(Number(row?.imap_uid_validity)).not.toBe(1);

        await dovecot.deliver(
          replyMail('<r4@example.org>', ours.platform_message_id, 'After the renumbering'),
        );
        await makeDue();
        await app.jobs.pollMailboxes();
        expect(
          (await events(userId, 'message.received')).map((event) => event.data.platform_message_id),
        ).toEqual(['<r4@example.org>']);
      });

      const resave = async (userId: string, imap: Readonly<Record<string, unknown>>) => {
        const saved = await call(
          app,
          'POST',
          `/api/integrations?user_id=${userId}`,
          dovecotEmailBody(dovecot, { imap_port: dovecot.tlsPort, ...imap }),
        );
        expect(saved.status).toBe(200);
      };
      const receivedIds = async (userId: string) =>
        (await events(userId, 'message.received')).map((event) => event.data.platform_message_id);

      it('still reads mail that arrived before a re-save of the same IMAP login (password changed)', async () => {
        const userId = await connectedUser();
        const ours = await send(userId, 'erin@example.org');
        await dovecot.deliver(replyMail('<r5@example.org>', ours.platform_message_id, 'Before the re-save'));
        // Another SMTP password, the IMAP one given explicitly; the host differs only in case.
        await resave(userId, {
          imap_host: 'LOCALHOST',
          smtp_password: 'another-smtp-password',
          imap_password: dovecot.password,
        });

        await makeDue();
        await app.jobs.pollMailboxes();
        expect(await receivedIds(userId)).toEqual(['<r5@example.org>']);
        await makeDue();
        await app.jobs.pollMailboxes();
        expect(await receivedIds(userId)).toEqual(['<r5@example.org>']);
      });

      it('starts from the mailbox as it stands when a re-save names another IMAP host', async () => {
        const userId = await connectedUser();
        const ours = await send(userId, 'frank@example.org');
        await dovecot.deliver(replyMail('<r6@example.org>', ours.platform_message_id, 'Before the move'));
        await resave(userId, { imap_host: '127.0.0.1' });
        await dovecot.deliver(replyMail('<r7@example.org>', ours.platform_message_id, 'After the move'));

        await makeDue();
        await app.jobs.pollMailboxes();
        expect(await receivedIds(userId)).toEqual(['<r7@example.org>']);
      });

      it('forgets the position when IMAP is removed, and starts fresh when it is added again', async () => {
        const userId = await connectedUser();
        const ours = await send(userId, 'gina@example.org');
        const smtpOnly = dovecotEmailBody(dovecot, {});
        const removed = await call(app, 'POST', `/api/integrations?user_id=${userId}`, smtpOnly);
        expect(removed.status).toBe(200);
        const [row] = await selectRows<{ imap_uid_validity: string | null; imap_last_uid: string | null }>(
          database,
          sql`select imap_uid_validity, imap_last_uid from social_integrations where user_id = ${userId}`,
        );
        expect(row).toEqual({ imap_uid_validity: null, imap_last_uid: null });

        await dovecot.deliver(replyMail('<r8@example.org>', ours.platform_message_id, 'While IMAP was off'));
        await resave(userId, { imap_host: 'localhost' });
        await dovecot.deliver(replyMail('<r9@example.org>', ours.platform_message_id, 'After IMAP was back'));
        await makeDue();
        await app.jobs.pollMailboxes();
        expect(await receivedIds(userId)).toEqual(['<r9@example.org>']);
      });

      it('handles each message once when two instances poll one mailbox', async () => {
        const userId = await connectedUser();
        const other = await appOn(database, app.key);
        const ours = await send(userId, 'erin@example.org');
        const expected: string[] = [];
        for (let round = 0; round < 3; round++) {
          for (let index = 0; index < 3; index++) {
            const id = `<concurrent-${round}-${index}-${userId}@example.org>`;
            expected.push(id);
            await dovecot.deliver(replyMail(id, ours.platform_message_id, `Reply ${round}.${index}`));
          }
          await makeDue();
          const reports = await Promise.all([app.jobs.pollMailboxes(), other.jobs.pollMailboxes()]);
          expect(reports.map((report) => report.failed)).toEqual([0, 0]);
        }
        const received = (await events(userId, 'message.received')).map(
          (event) => event.data.platform_message_id,
        );
        expect(received.sort()).toEqual(expected.sort());
      });

      /** Only this user's mailbox is due, so a pass reads it alone. */
      const onlyDue = (userId: string) =>
        database.handle.db.execute(
          sql`update social_integrations set imap_next_poll_at = case when user_id = ${userId} then now() - interval '1 second' else now() + interval '1 hour' end`,
        );
      /** As if the lease ran out: the claim of a pass that did not release it lapses. */
      const lapseLease = (userId: string) =>
        database.handle.db.execute(
          sql`update social_integrations set imap_lease_until = now() - interval '1 second' where user_id = ${userId}`,
        );
      /** The log lines of `target` since `from` with this message. */
      const logged = (target: App, from: number, message: string) =>
        target.logLines
          .slice(from)
          .map((line) => JSON.parse(line) as Record<string, unknown>)
          .filter((entry) => entry.msg === message);
      const connectionStatus = async (userId: string) => {
        const [row] = await selectRows<{ connection_status: string }>(
          database,
          sql`select connection_status from social_integrations where user_id = ${userId}`,
        );
        return row?.connection_status;
      };

      /**
       * A failure of ours while a message is handled: the IMAP session still ends cleanly, the failure is
       * logged with its own code (never `imap_connection_failed`), the claim is kept until its lease lapses,
       * and the message is then handled once.
       */
      async function expectHandledOnceAfter(
        target: App,
        userId: string,
        failingPass: () => Promise<void>,
        code: string,
      ) {
        const ours = await send(userId, 'hana@example.org');
        const id = `<after-failure-${userId}@example.org>`;
        await dovecot.deliver(replyMail(id, ours.platform_message_id, 'Answered while we failed'));
        await onlyDue(userId);
        const logsBefore = target.logLines.length;
        await failingPass();
        expect(logged(target, logsBefore, 'mailbox read failed unexpectedly')).toEqual([
          expect.objectContaining({ level: 'error', code }),
        ]);
        expect(logged(target, logsBefore, 'mailbox not read')).toEqual([]);
        expect(target.logLines.slice(logsBefore).join('\n')).not.toContain('imap_connection_failed');
        expect(await receivedIds(userId)).toEqual([]);
        expect(await connectionStatus(userId)).toBe('connected');

        // Still claimed: a pass before the lease lapses does not read it.
        expect((await target.jobs.pollMailboxes()).read).toBe(0);
        await lapseLease(userId);
        expect(await target.jobs.pollMailboxes()).toMatchObject({ read: 1, received: 1, failed: 0 });
        expect(await receivedIds(userId)).toEqual([id]);
        await onlyDue(userId);
        expect(await target.jobs.pollMailboxes()).toMatchObject({ read: 1, received: 0, failed: 0 });
        expect(await receivedIds(userId)).toEqual([id]);
        expect(await connectionStatus(userId)).toBe('connected');
        expect(logged(target, logsBefore, 'mailbox read failed unexpectedly')).toHaveLength(1);
      }

      it('logs internal_error, not imap_connection_failed, when recording a message fails, and handles it once later', async () => {
        const userId = await connectedUser();
        // A statement that fails for a reason other than the connection: the position cannot move.
        await database.handle.db.execute(
          sql.raw(`create function refuse_position() returns trigger language plpgsql as
            $$ begin raise exception 'position refused by the test'; end $$`),
        );
        await database.handle.db.execute(
          sql.raw(`create trigger refuse_position before update of imap_last_uid on social_integrations
            for each row when (new.user_id = '${userId}') execute function refuse_position()`),
        );
        await expectHandledOnceAfter(
          app,
          userId,
          async () => {
            expect(await app.jobs.pollMailboxes()).toMatchObject({ read: 0, received: 0, failed: 1 });
            await database.handle.db.execute(sql.raw('drop trigger refuse_position on social_integrations'));
            await database.handle.db.execute(sql.raw('drop function refuse_position()'));
          },
          'internal_error',
        );
      });

      it.skipIf(driver.name !== 'PostgreSQL')(
        'logs service_unavailable when the database goes away while a message is handled, and handles it once after it is back',
        async () => {
          const target = new URL(database.url ?? '');
          const proxy: TcpProxy = await startTcpProxy({ host: target.hostname, port: Number(target.port) });
          const proxied = new URL(target);
          proxied.port = String(proxy.port);
          const handle = openPostgres(proxied.toString(), { maxConnections: 2, connectTimeoutSeconds: 2 });
          // The database goes away just before the first message is handled, and comes back once it failed.
          let outage = false;
          const real = dovecotReader(dovecot, [dovecot.tlsPort]);
          const reader: MailboxReader = {
            verify: (login) => real.verify(login),
            read: (login, from, limit, onMail) =>
              real.read(login, from, limit, async (mail) => {
                if (!outage) return onMail(mail);
                proxy.cut('refuse');
                try {
                  return await onMail(mail);
                } finally {
                  outage = false;
                  proxy.restore();
                }
              }),
          };
          const other = await createTestApp(
            { handle, url: proxied.toString(), dispose: () => handle.close() },
            { mailboxReader: reader, keys: app.key },
          );
          try {
            const userId = await connectedUser();
            await expectHandledOnceAfter(
              other,
              userId,
              async () => {
                outage = true;
                expect(await other.jobs.pollMailboxes()).toMatchObject({ read: 0, received: 0, failed: 1 });
                expect(outage).toBe(false);
              },
              'service_unavailable',
            );
          } finally {
            await handle.close();
            await proxy.close();
          }
        },
      );

      it('writes nothing for a claim that lapsed and was taken over', async () => {
        const userId = await connectedUser();
        const polls = new DrizzleMailboxPolls(database.handle.db);
        await makeDue();
        const now = new Date();
        const mine = (claims: ClaimedMailbox[]) => {
          const claim = claims.find((each) => each.integration.userId === userId);
          if (claim === undefined) throw new Error('the mailbox was not claimed');
          return claim;
        };
        const first = mine(await polls.claimDue(now, now, 100, 1000));
        const later = new Date(now.getTime() + 2000);
        const takenOver = await polls.claimDue(later, later, 100, 60_000);
        const second = mine(takenOver);
        const { id } = second.integration;
        const position = { uidValidity: 7, lastUid: 99 };

        expect(await polls.record(id, first.lease, position, NO_EFFECT)).toBe(false);
        expect(await polls.release(id, first.lease, later)).toBe(false);
        expect(await polls.record(id, second.lease, position, NO_EFFECT)).toBe(true);
        for (const claim of takenOver) {
          expect(await polls.release(claim.integration.id, claim.lease, later)).toBe(true);
        }
      });
    });
  }
});
