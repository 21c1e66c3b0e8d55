import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresTestDatabase, postgresUnavailableReason, type TestDatabase } from '../support/databases.js';
import { spawnCapturing } from '../support/server-process.js';

const script = fileURLToPath(new URL('../fixtures/processes/postgres-pool-two-queries.ts', import.meta.url));
const postgresSkip = await postgresUnavailableReason();

/**
 * A proxy to `target` that resets the first connection when the driver sends its array-types query (the
 * first statement postgres.js runs on a new connection), as a database blip would at that moment.
 */
async function cutAtArrayTypes(target: URL): Promise<{ server: Server; port: number; cuts: () => number }> {
  let cuts = 0;
  const [host, port] = [target.hostname, Number(target.port || 5432)];
  const server = createServer((client) => {
    const upstream = connect(port, host);
    client.on('error', () => {});
    upstream.on('error', () => {});
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (cuts === 0 && chunk.includes('pg_catalog.pg_type')) {
        cuts += 1;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, cuts: () => cuts };
}

describe.skipIf(postgresSkip !== null)('a PostgreSQL connection lost while it is being set up', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await postgresTestDatabase();
  });
  afterAll(async () => {
    await database?.dispose();
  });

  it('does not end the process: the pool reconnects and the next query is answered', async () => {
    const url = new URL(database.url ?? '');
    const proxy = await cutAtArrayTypes(url);
    url.host = `127.0.0.1:${proxy.port}`;
    try {
      const { child, output } = spawnCapturing(script, [], { DATABASE_URL: url.toString() });
      const [code] = await once(child, 'close');

      expect(proxy.cuts(), output()).toBe(1);
      expect(code, output()).toBe(0);
      expect(JSON.parse(output().trim().split('\n').at(-1) ?? '')).toMatchObject({ second: 'answered' });
    } finally {
      proxy.server.close();
    }
  }, 30_000);
});
