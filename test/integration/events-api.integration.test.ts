import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { fail, ok } from '../../src/domain/result.js';
import { emailBody } from '../support/api-routes.js';
import { databaseDrivers, type TestDatabase } from '../support/databases.js';
import { dueTikTokDraft, emailDraft, uniqueUserId } from '../support/integration-builders.js';
import { createTestApp } from '../support/test-app.js';

const drivers = await databaseDrivers();
const PASSWORD = 'CANARY_PW_events-5e1d';

interface EventJson {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly data: Record<string, unknown>;
}

for (const driver of drivers) {
  describe.skipIf(driver.skip)(`the event outbox and GET /api/events on ${driver.name}`, () => {
    let database: TestDatabase;
    let harness: Awaited<ReturnType<typeof createTestApp>>;

    const call = (method: string, path: string, body?: unknown) =>
      harness.app.request(path, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
      });

    async function eventsOf(
      userId: string,
      query = '',
    ): Promise<{ events: EventJson[]; next: string | null }> {
      const response = await call('GET', `/api/events?user_id=${userId}${query}`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { events: EventJson[]; next_cursor: string | null };
      return { events: page.events, next: page.next_cursor };
    }

    const types = async (userId: string) => (await eventsOf(userId)).events.map((event) => event.type);

    beforeAll(async () => {
      database = await driver.open();
      harness = await createTestApp(database);
    });
    afterAll(() => database.dispose());

    it('announces a new connection with the masked integration and the capability it brings', async () => {
      const userId = uniqueUserId();
      expect((await call('POST', `/api/integrations?user_id=${userId}`, emailBody(PASSWORD))).status).toBe(
        201,
      );

      const { events } = await eventsOf(userId);
      expect(events.map((event) => event.type)).toEqual([
        'integration.connected',
        'integration.capability_changed',
      ]);
      const [connected, capability] = events;
      expect(connected).toMatchObject({
        id: expect.stringMatching(/^[0-9a-f-]{36}$/),
        timestamp: expect.stringMatching(/Z$/),
        data: {
          user_id: userId,
          platform: 'email',
          integration: { platform: 'email', connection_status: 'connected', smtp_password: '********' },
          capability: { platform: 'email', can_send_dm: true },
        },
      });
      expect(capability?.data).toMatchObject({
        previous: { can_send_dm: false, reason_code: 'not_connected' },
        current: { can_send_dm: true, reason_code: null },
      });
      expect(JSON.stringify(events)).not.toContain(PASSWORD);
    });

    it('tells a replacement while connected from a reconnection, and a failed check from both', async () => {
      const userId = uniqueUserId();
      const path = `/api/integrations?user_id=${userId}`;
      await call('POST', path, emailBody(PASSWORD));
      await call('POST', path, emailBody(PASSWORD, { smtp_port: 465 }));
      harness.mailVerifier.next = fail('smtp_auth_failed', 'SMTP authentication failed');
      expect((await call('POST', `/api/integrations/email/validate?user_id=${userId}`)).status).toBe(200);
      harness.mailVerifier.next = ok(undefined);
      await call('POST', path, emailBody(PASSWORD));

      const { events } = await eventsOf(userId);
      expect(events.map((event) => event.type)).toEqual([
        'integration.connected',
        'integration.capability_changed',
        'integration.updated',
        'integration.status_changed',
        'integration.capability_changed',
        'integration.connected',
        'integration.capability_changed',
      ]);
      expect(events[3]?.data).toMatchObject({
        user_id: userId,
        platform: 'email',
        previous_status: 'connected',
        status: 'error',
        reason_code: 'validation_failed',
        reason: 'The last check of your Email connection failed: SMTP authentication failed.',
      });
      expect(events[4]?.data).toMatchObject({
        previous: { can_send_dm: true },
        current: { can_send_dm: false, reason_code: 'validation_failed' },
      });
    });

    it('announces a deletion once, and nothing for deleting what is not there', async () => {
      const userId = uniqueUserId();
      await call('POST', `/api/integrations?user_id=${userId}`, emailBody(PASSWORD));
      expect((await call('DELETE', `/api/integrations/email?user_id=${userId}`)).status).toBe(204);
      expect((await call('DELETE', `/api/integrations/email?user_id=${userId}`)).status).toBe(204);

      const { events } = await eventsOf(userId);
      expect(events.slice(2).map((event) => [event.type, event.data.current ?? event.data])).toEqual([
        ['integration.deleted', { user_id: userId, platform: 'email' }],
        ['integration.capability_changed', expect.objectContaining({ reason_code: 'not_connected' })],
      ]);
    });

    it('pages oldest first with next_cursor as `after`, and shows each user only their own', async () => {
      const userId = uniqueUserId();
      const path = `/api/integrations?user_id=${userId}`;
      await call('POST', path, emailBody(PASSWORD));
      await call('POST', path, emailBody(PASSWORD, { smtp_port: 465 }));
      const all = (await eventsOf(userId)).events;
      expect(all).toHaveLength(3);

      const first = await eventsOf(userId, '&limit=2');
      const second = await eventsOf(userId, `&limit=2&after=${first.next}`);
      const third = await eventsOf(userId, `&limit=2&after=${second.next}`);
      expect([...first.events, ...second.events].map((event) => event.id)).toEqual(all.map((e) => e.id));
      expect(third).toEqual({ events: [], next: null });

      expect(await types(uniqueUserId())).toEqual([]);
    });

    it('refuses an `after` that is not a cursor, naming it', async () => {
      const response = await call('GET', `/api/events?user_id=${uniqueUserId()}&after=abc`);
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain(
        'after must be the next_cursor of a previous page',
      );
    });

    it('announces the expiry the refresher records for a token that can no longer be renewed', async () => {
      const userId = uniqueUserId();
      const now = Date.now();
      await harness.repository.upsert(
        await dueTikTokDraft(
          harness.cipher,
          { openId: 'open-1', accessToken: 'at', refreshToken: 'rt' },
          new Date(now),
          {
            userId,
            refreshToken: null,
            tokenExpiresAt: new Date(now - 60_000),
          },
        ),
      );
      await harness.jobs.refreshDueIntegrations();

      const { events } = await eventsOf(userId);
      expect(events.map((event) => [event.type, event.data.previous_status, event.data.status])).toEqual([
        ['integration.status_changed', 'connected', 'expired'],
      ]);
      expect(events[0]?.data.reason_code).toBe('token_expired');
    });

    it('writes no event for a change that rolled back, and no change without its events', async () => {
      const repository = new DrizzleIntegrationRepository(database.handle.db);
      const userId = uniqueUserId();
      const broken = async () => {
        throw new Error('the announcement failed');
      };
      await expect(repository.upsert(emailDraft({ userId }), broken)).rejects.toThrow();
      expect(await repository.find(userId, 'email')).toBeNull();
      expect(await types(userId)).toEqual([]);

      const stored = await repository.upsert(emailDraft({ userId }));
      await expect(
        repository.changeStatus(
          stored.integration.id,
          { connectionStatus: 'error', statusDetail: 'x' },
          broken,
        ),
      ).rejects.toThrow();
      expect((await repository.find(userId, 'email'))?.connectionStatus).toBe('connected');
      await expect(repository.remove(userId, 'email', broken)).rejects.toThrow();
      expect(await repository.find(userId, 'email')).not.toBeNull();
      expect(await types(userId)).toEqual([]);
    });
  });
}
