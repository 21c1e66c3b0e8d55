import { describe, expect, it } from 'vitest';
import { type Config, parseConfig } from '../../src/config.js';
import { shareAmong, workerCount } from '../../src/runtime/node-cluster.js';

function config(env: Record<string, string>): Config {
  const parsed = parseConfig({
    ENCRYPTION_KEY: 'k'.repeat(43).concat('='),
    AUTH_JWT_SECRET: 's'.repeat(32),
    ...env,
  });
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  return parsed.config;
}
const postgres = { DATABASE_URL: 'postgres://db.example/app' };

describe('workerCount', () => {
  it('is one per core in production on PostgreSQL, and one process otherwise', () => {
    expect(workerCount(config({ NODE_ENV: 'production', ...postgres }), 4)).toBe(4);
    expect(workerCount(config({ NODE_ENV: 'production' }), 4)).toBe(1);
    expect(workerCount(config(postgres), 4)).toBe(1);
  });

  it('is WEB_CONCURRENCY when set', () => {
    expect(workerCount(config({ NODE_ENV: 'production', WEB_CONCURRENCY: '3', ...postgres }), 8)).toBe(3);
    expect(workerCount(config({ WEB_CONCURRENCY: '2' }), 1)).toBe(2);
  });

  it('refuses a WEB_CONCURRENCY that is not a whole number of at least 1', () => {
    expect(parseConfig({ WEB_CONCURRENCY: '0' }).ok).toBe(false);
    expect(parseConfig({ WEB_CONCURRENCY: 'two' }).ok).toBe(false);
  });
});

describe('shareAmong', () => {
  it('splits the pool so the total stays what one process opens, and counts rate limits in the database', () => {
    const shared = shareAmong(config({ ...postgres, DATABASE_POOL_SIZE: '12' }), 3, 2);

    expect(shared.databasePoolSize).toBe(4);
    expect(shared.rateLimits.store).toBe('database');
  });

  it('splits the default pool for the cores, keeping at least one connection per worker', () => {
    expect(shareAmong(config(postgres), 2, 2).databasePoolSize).toBe(2);
    expect(shareAmong(config({ ...postgres, DATABASE_POOL_SIZE: '2' }), 4, 4).databasePoolSize).toBe(1);
  });

  it('leaves one process as configured', () => {
    const single = config(postgres);

    expect(shareAmong(single, 1, 8)).toBe(single);
  });
});
