import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import postgres from 'postgres';

/**
 * What the outbox scenario measured: a burst's delivery rate (one jobs process alone on the server's CPUs),
 * and the lag of a steady stream under capabilities load (the jobs process beside the HTTP service).
 */
export interface OutboxFigures {
  readonly burstEvents: number;
  readonly burstEventsPerSecond: number;
  readonly steadyEvents: number;
  readonly steadyRatePerSecond: number;
  readonly lagP50Ms: number;
  readonly lagP99Ms: number;
  /** The share of one core the jobs process used while the steady stream was measured. */
  readonly jobsCpuPercent: number;
  /** The CPUs it was pinned to; null when nothing is pinned. */
  readonly jobsCpus: string | null;
}

/** A receiver that answers 204 at once and notes when each webhook-id first arrived. */
export async function startBenchReceiver() {
  const arrivals = new Map<string, number>();
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const id = String(request.headers['webhook-id'] ?? '');
      if (!arrivals.has(id)) arrivals.set(id, Date.now());
      response.writeHead(204).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export type BenchReceiver = Awaited<ReturnType<typeof startBenchReceiver>>;

const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** Removes every event from the outbox, so a service with webhooks starts with nothing to deliver. */
export async function clearOutbox(databaseUrl: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`delete from outbox_events`;
  } finally {
    await sql.end();
  }
}

/**
 * Writes events as committed changes would (a transaction of `perCommit` each, which NOTIFYs the service),
 * `ratePerSecond` of them for `seconds`, or all at once when `ratePerSecond` is null; their ids and times.
 */
export async function writeEvents(
  databaseUrl: string,
  total: number,
  ratePerSecond: number | null,
  perCommit = 50,
): Promise<Map<string, number>> {
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  const written = new Map<string, number>();
  const started = Date.now();
  try {
    for (let done = 0; done < total; done += perCommit) {
      if (ratePerSecond !== null) {
        const due = started + (done / ratePerSecond) * 1000;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      }
      const rows = Array.from({ length: Math.min(perCommit, total - done) }, (_, index) => ({
        user_id: `bench-events-${(done + index) % 1000}`,
        type: 'integration.deleted',
        data: sql.json({ user_id: `bench-events-${(done + index) % 1000}`, platform: 'email' }),
      }));
      const inserted = await sql<{ id: string; occurred_at: Date }[]>`
        insert into outbox_events ${sql(rows)} returning id, occurred_at`;
      for (const row of inserted) written.set(row.id, row.occurred_at.getTime());
    }
  } finally {
    await sql.end();
  }
  return written;
}

/** Resolves once every written event has arrived (or `timeoutMs` passed): the time the last one did. */
export async function allArrived(receiver: BenchReceiver, written: Map<string, number>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  const missing = () => [...written.keys()].filter((id) => !receiver.arrivals.has(id)).length;
  while (missing() > 0) {
    if (Date.now() > deadline) throw new Error(`${missing()} of ${written.size} events were not delivered`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Math.max(...[...written.keys()].map((id) => receiver.arrivals.get(id) ?? 0));
}

/** The delivery lag of each written event: its arrival minus the time its transaction wrote it. */
export function lags(receiver: BenchReceiver, written: Map<string, number>): number[] {
  return [...written].map(([id, at]) => (receiver.arrivals.get(id) ?? Number.NaN) - at).sort((a, b) => a - b);
}

export const lagQuantiles = (sorted: readonly number[]) => ({
  lagP50Ms: quantile(sorted, 0.5),
  lagP99Ms: quantile(sorted, 0.99),
});
