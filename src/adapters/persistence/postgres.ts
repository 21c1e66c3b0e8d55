import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { isConnectionFailure } from './database-errors.js';

export interface PostgresOptions {
  readonly maxConnections: number;
  /** Seconds to wait for a connection before a query fails, so an outage surfaces fast. */
  readonly connectTimeoutSeconds: number;
}

export interface PostgresHandle {
  readonly driver: 'postgres';
  readonly db: PostgresJsDatabase;
  readonly sql: postgres.Sql;
  close(): Promise<void>;
}

/**
 * Connections per process when DATABASE_POOL_SIZE is unset: two per core, at least 4. A process runs its
 * JavaScript on one core and postgres.js pipelines queries on each connection, so a few connections keep
 * the database busy; more only add PostgreSQL backends competing for the same cores (on 2 cores, pools of
 * 2 to 8 served the same capabilities rate, 10 and 20 served 10-20% less: see the README's Performance).
 */
export function defaultPoolSize(cores: number): number {
  return Math.max(4, 2 * cores);
}

// postgres.js's queue of busy connections takes a slot for every query sent to a busy connection and frees
// its slots only once it empties, which never happens while every connection stays busy, so each query
// scans a longer array (64 callers on 4 connections: 47,000 -> 13,000 queries/s within 12 s). With at most
// 4 queries pipelined per connection the surplus waits in its query queue instead, taken from in constant
// time (95,000 queries/s, flat). postgres.js reads max_pipeline, but its types lack it: hence the spread.
const SHORT_PIPELINE = { max_pipeline: 4 };

/**
 * `sql.begin` on a pooled, pipelining client as Drizzle's transactions call it, without postgres.js 3.4.9's
 * race: when BEGIN is the query that fills a connection's pipeline (with max_pipeline 4, often), the driver
 * skips reserving that connection, fails with UNSAFE_TRANSACTION and can leave other callers' queries running
 * inside the open transaction (porsager/postgres#823, #1189). A reserved connection is taken before BEGIN is
 * sent, so nothing else is ever pipelined onto it.
 */
function safeBegin(sql: postgres.Sql) {
  return async <T>(work: (transaction: postgres.Sql) => Promise<T>): Promise<T> => {
    const reserved = await sql.reserve();
    try {
      await reserved.unsafe('begin');
      const result = await work(reserved);
      await reserved.unsafe('commit');
      return result;
    } catch (error) {
      await reserved.unsafe('rollback').catch(() => {});
      throw error;
    } finally {
      reserved.release();
    }
  };
}

let lostConnectionsSurvived = false;

/**
 * postgres.js 3.4.9 reads the server's array types as the first query of every new connection and drops
 * that query's promise (porsager/postgres#1192, #1223), so a connection lost during it is an unhandled
 * rejection, which ends a Node process: a database blip or failover while the pool reconnects would take
 * the whole service down. That rejection is a connection failure the pool recovers from by itself (and the
 * requests waiting on it fail on their own), so it is let go; any other unhandled rejection still ends the
 * process as Node's default does.
 */
function surviveLostConnections(): void {
  if (lostConnectionsSurvived) return;
  lostConnectionsSurvived = true;
  process.on('unhandledRejection', (reason) => {
    if (isConnectionFailure(reason)) return;
    throw reason;
  });
}

/** Opens a pooled postgres.js connection to a real PostgreSQL server. */
export function openPostgres(url: string, options: PostgresOptions): PostgresHandle {
  surviveLostConnections();
  const sql = postgres(url, {
    max: options.maxConnections,
    ...SHORT_PIPELINE,
    connect_timeout: options.connectTimeoutSeconds,
    // postgres.js waits up to 3^n/100 s before a slot's n-th reconnect, which after a few failures would
    // hold requests for many seconds; a short, capped wait keeps an outage's 503s fast.
    backoff: (attempts: number) => Math.min(0.1 * attempts, 0.5),
    onnotice: () => {},
  });
  // Drizzle runs its transactions through the client's `begin`, so it gets the safe one; all else is sql's own.
  const begin = safeBegin(sql);
  const client = new Proxy(sql, {
    get: (target, property, receiver) =>
      property === 'begin' ? begin : Reflect.get(target, property, receiver),
  });
  return { driver: 'postgres', db: drizzle(client), sql, close: () => sql.end({ timeout: 5 }) };
}
