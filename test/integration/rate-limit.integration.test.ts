import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../src/application/ports/clock.js';
import { hubSignature, messagingDelivery } from '../fakes/meta-fake.js';
import { pgliteTestDatabase, selectRows, type TestDatabase } from '../support/databases.js';
import { type LoopbackApp, serveOnLoopback } from '../support/loopback-app.js';
import { createTestApp } from '../support/test-app.js';

const LIMIT = 5;
const OUTBOUND_LIMIT = 2;
const RATE_LIMITED = {
  detail: 'Too many requests. Try again after the number of seconds in the Retry-After header.',
  code: 'rate_limited',
};

/** A clock the test moves by hand, 30 s into a one-minute window to begin with. */
const clock: Clock & { at: Date } = {
  at: new Date('2026-03-01T12:00:30.000Z'),
  now: () => new Date(clock.at),
};
const advance = (seconds: number) => {
  clock.at = new Date(clock.at.getTime() + seconds * 1000);
};

let database: TestDatabase;

const rateLimitedEntries = async () =>
  (
    await selectRows<{ n: number }>(
      database,
      sql`select count(*)::int as n from audit_log where action = 'request.rate_limited'`,
    )
  )[0]?.n;

beforeAll(async () => {
  database = await pgliteTestDatabase();
});
afterAll(() => database.dispose());

describe('over a real socket, the client address is the peer’s', () => {
  let base: string;
  let close: () => Promise<void>;

  beforeAll(async () => {
    const { app } = await createTestApp(database, {
      clock,
      env: {
        RATE_LIMIT_PER_MINUTE: String(LIMIT),
        RATE_LIMIT_OUTBOUND_PER_MINUTE: String(OUTBOUND_LIMIT),
      },
      socketAddress: (c) => getConnInfo(c).remote.address,
    });
    const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it('answers the limit+1-th request with 429 and Retry-After, and spoofed forwarding headers do not help', async () => {
    const spoofed = (n: number) => ({
      'x-forwarded-for': `203.0.113.${n}`,
      'x-real-ip': `203.0.113.${n}`,
      forwarded: `for=203.0.113.${n}`,
      'cf-connecting-ip': `203.0.113.${n}`,
    });
    const statuses: number[] = [];
    for (let n = 1; n <= LIMIT; n += 1) {
      statuses.push(
        (await fetch(`${base}/api/integrations?user_id=user-${n}`, { headers: spoofed(n) })).status,
      );
    }
    const limited = await fetch(`${base}/api/integrations?user_id=someone-new`, { headers: spoofed(99) });

    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('30');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect(await limited.json()).toEqual(RATE_LIMITED);

    for (let n = 0; n < 5; n += 1)
      await fetch(`${base}/api/integrations?user_id=again`, { headers: spoofed(n) });
    expect(await rateLimitedEntries()).toBe(1);
  });

  it('lets requests through again in the next window', async () => {
    advance(30);
    expect((await fetch(`${base}/api/integrations?user_id=user-1`)).status).toBe(200);
  });

  it('holds routes that call out to a tighter limit', async () => {
    advance(60);
    const validate = () => fetch(`${base}/api/integrations/email/validate?user_id=u`, { method: 'POST' });
    const first = await validate();
    const second = await validate();
    const third = await validate();
    const read = await fetch(`${base}/api/integrations?user_id=u`);

    expect([first.status, second.status]).toEqual([404, 404]);
    expect(third.status).toBe(429);
    expect(read.status).toBe(200);
  });
});

describe('behind a trusted proxy header', () => {
  const app = async (perMinute = LIMIT) =>
    (
      await createTestApp(database, {
        clock,
        env: {
          RATE_LIMIT_PER_MINUTE: String(perMinute),
          RATE_LIMIT_OUTBOUND_PER_MINUTE: '0',
          CLIENT_ADDRESS_HEADER: 'x-real-ip',
        },
        socketAddress: () => '10.0.0.1',
      })
    ).app;
  const from = (address: string) => ({ headers: { 'x-real-ip': address } });

  it('limits each user, whatever address each request comes from', async () => {
    const limited = await app();
    const statuses = [];
    for (let n = 1; n <= LIMIT + 1; n += 1) {
      statuses.push(
        (await limited.request('/api/integrations?user_id=roamer', from(`198.51.100.${n}`))).status,
      );
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  const statusesFrom = async (addresses: readonly string[]) => {
    const limited = await app();
    const statuses: number[] = [];
    // A different user each time, so only the address bucket can be what limits.
    for (const [index, address] of addresses.entries()) {
      statuses.push(
        (await limited.request(`/api/integrations?user_id=${crypto.randomUUID()}-${index}`, from(address)))
          .status,
      );
    }
    return statuses;
  };

  it('puts a whole IPv6 /64 in one bucket', async () => {
    const sameSlash64 = ['::1', '::2', ':ffff::3', ':1:2:3:4', '::5', '::6'].map(
      (suffix) => `2001:db8:5:6${suffix}`,
    );
    expect(await statusesFrom([...sameSlash64, '2001:db8:5:7::1'])).toEqual([
      200, 200, 200, 200, 200, 429, 200,
    ]);
  });

  it('counts an IPv4-mapped IPv6 address as the IPv4 address it is', async () => {
    const oneClient = [
      '::ffff:192.0.2.44',
      '192.0.2.44',
      '::ffff:c000:22c',
      '192.0.2.44',
      '::ffff:192.0.2.44',
      '192.0.2.44',
    ];
    expect(await statusesFrom(oneClient)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('turns off with a limit of 0', async () => {
    const unlimited = await app(0);
    const statuses = new Set<number>();
    for (let n = 0; n < 20; n += 1)
      statuses.add((await unlimited.request('/api/integrations?user_id=bench', from('192.0.2.1'))).status);
    expect([...statuses]).toEqual([200]);
  });
});

describe('Meta webhook deliveries and the address limit, over a real socket', () => {
  const APP_SECRET = 'CANARY_SECRET_rate_limit_meta_7c1d';
  // A clock of its own, fixed well inside a window, so no request of this test falls into the next one.
  const fixed: Clock = { now: () => new Date('2026-03-01T13:00:10.000Z') };
  let server: LoopbackApp;

  beforeAll(async () => {
    const { app } = await createTestApp(database, {
      clock: fixed,
      env: {
        RATE_LIMIT_PER_MINUTE: '3',
        FACEBOOK_CLIENT_ID: '1234567890',
        FACEBOOK_CLIENT_SECRET: APP_SECRET,
        META_WEBHOOK_VERIFY_TOKEN: 'verify-token-rate-limit',
      },
      socketAddress: (c) => getConnInfo(c).remote.address,
    });
    server = await serveOnLoopback(app.fetch);
  });
  afterAll(() => server.close());

  const body = JSON.stringify(
    messagingDelivery('facebook', '998877', [{ from: '2400000000000001', text: 'hi' }]),
  );
  const deliver = (signature: string | null) =>
    fetch(`${server.base}/webhooks/meta`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      },
      body,
    });
  const statuses = async (signature: string | null, times: number) => {
    const answers: number[] = [];
    for (let n = 0; n < times; n += 1) answers.push((await deliver(signature)).status);
    return answers;
  };

  it('lets every delivery Meta signed through, while unsigned and badly signed ones count and are refused', async () => {
    const good = hubSignature(APP_SECRET, body);
    const wrong = hubSignature('another-app-secret', body);

    // Well past the limit of 3, and not counted: the unsigned requests after them still get their 3.
    expect(await statuses(good, 6)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(await statuses(null, 2)).toEqual([401, 401]);
    expect(await statuses(wrong, 2)).toEqual([401, 429]);
    const refused = await deliver('sha256=not-hex');
    expect(refused.status).toBe(429);
    expect(await refused.json()).toEqual(RATE_LIMITED);
    // The address is over its limit for everything else too.
    expect((await fetch(`${server.base}/api/integrations?user_id=meta-limit`)).status).toBe(429);

    const signed = await deliver(good);
    expect([signed.status, await signed.text()]).toEqual([200, 'EVENT_RECEIVED']);
  });
});
