import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RevocationOutcome } from '../../application/ports/audit-log.js';
import type { SettledAttempt } from '../../application/use-cases/deliver-webhooks.js';
import {
  REFRESH_OUTCOMES,
  type RefreshReport,
} from '../../application/use-cases/refresh-due-integrations.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { MetricsRecorder, MetricsText, SendOutcome } from './metrics-recorder.js';

/** What is waiting in the outbox: events not yet queued, deliveries pending and failed. */
export interface OutboxDepth {
  readonly unqueued: number;
  readonly pending: number;
  readonly failed: number;
  /** Since the oldest event that is unqueued or has a pending delivery; 0 when there is none. */
  readonly oldestWaitingSeconds: number;
}

/** The scrape-time counts, read from the database on each scrape. */
export interface ScrapeQueries {
  integrationCounts(): Promise<{ platform: string; status: string; count: number }[]>;
  serverConnections(): Promise<{ state: string; count: number }[]>;
  outboxDepth(): Promise<OutboxDepth>;
}

export interface PromClientMetricsOptions {
  readonly queries: ScrapeQueries;
  /** Connections this process's pool may open (PGlite: its one in-process connection). */
  readonly poolSize: number;
  readonly driver: 'postgres' | 'pglite';
}

const PREFIX = 'social_integrations_';

/**
 * prom-client (Node only): counters and a histogram kept in memory as requests are served, and gauges
 * read from the database when scraped. Gauges every worker reads the same way from the shared database
 * are aggregated across a cluster as `first` (not summed); the rest are summed.
 */
export class PromClientMetrics implements MetricsRecorder {
  readonly registry = new Registry();
  private readonly requests: Histogram<'method' | 'route' | 'status'>;
  private readonly refreshes: Counter<'outcome'>;
  private readonly sends: Counter<'platform' | 'outcome' | 'code'>;
  private readonly revocations: Counter<'platform' | 'outcome'>;
  private readonly webhookAttempts: Counter<'outcome'>;
  private readonly deliveryLag: Histogram;

  constructor(options: PromClientMetricsOptions) {
    const registers = [this.registry];
    this.requests = new Histogram({
      name: `${PREFIX}http_request_duration_seconds`,
      help: 'HTTP requests by method, route pattern and status: duration in seconds (_count is the request count).',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.refreshes = new Counter({
      name: `${PREFIX}refresh_outcomes_total`,
      help: 'Integrations handled by the refresh job, by outcome.',
      labelNames: ['outcome'],
      registers,
    });
    this.sends = new Counter({
      name: `${PREFIX}outreach_sends_total`,
      help: 'Outreach send requests by platform and outcome; code is the error or reason code, or none.',
      labelNames: ['platform', 'outcome', 'code'],
      registers,
    });
    this.revocations = new Counter({
      name: `${PREFIX}revocations_total`,
      help: 'Token revokes on delete, by platform and outcome.',
      labelNames: ['platform', 'outcome'],
      registers,
    });
    this.webhookAttempts = new Counter({
      name: `${PREFIX}webhook_attempts_total`,
      help: 'Webhook delivery attempts by outcome: delivered, retrying (failed, to be retried), gone (410) or failed (the last one failed).',
      labelNames: ['outcome'],
      registers,
    });
    this.deliveryLag = new Histogram({
      name: `${PREFIX}webhook_delivery_lag_seconds`,
      help: 'From an event’s change to the attempt that delivered it to an endpoint, in seconds.',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 7200, 36000],
      registers,
    });
    new Gauge({
      name: `${PREFIX}database_pool_size`,
      help: 'Connections the process pools may open to the database (PGlite: one, in process).',
      labelNames: ['driver'],
      registers,
      collect() {
        this.set({ driver: options.driver }, options.poolSize);
      },
    });
    // A database that does not answer leaves the gauge without samples; the scrape itself still answers.
    const fromDatabase = async (gauge: Gauge<string>, read: (gauge: Gauge<string>) => Promise<void>) => {
      gauge.reset();
      await read(gauge).catch(() => gauge.reset());
    };
    new Gauge({
      name: `${PREFIX}integrations`,
      help: 'Stored integrations by platform and status (a passed expiry counts as expired).',
      labelNames: ['platform', 'status'],
      registers,
      aggregator: 'first',
      async collect() {
        await fromDatabase(this, async (gauge) => {
          for (const row of await options.queries.integrationCounts()) {
            gauge.set({ platform: row.platform, status: row.status }, row.count);
          }
        });
      },
    });
    new Gauge({
      name: `${PREFIX}database_server_connections`,
      help: 'The database server’s connections to this database by state, from every process (pg_stat_activity).',
      labelNames: ['state'],
      registers,
      aggregator: 'first',
      async collect() {
        await fromDatabase(this, async (gauge) => {
          for (const row of await options.queries.serverConnections())
            gauge.set({ state: row.state }, row.count);
        });
      },
    });
    // One query answers all four; each gauge's collect would otherwise ask again.
    let depth: Promise<OutboxDepth> | null = null;
    const readDepth = () => {
      depth ??= options.queries.outboxDepth().finally(() => {
        depth = null;
      });
      return depth;
    };
    new Gauge({
      name: `${PREFIX}outbox_depth`,
      help: 'What waits in the outbox: events not yet given their deliveries (unqueued), deliveries waiting for an attempt or a retry (pending), deliveries given up (failed, until npm run redeliver).',
      labelNames: ['state'],
      registers,
      aggregator: 'first',
      async collect() {
        await fromDatabase(this, async (gauge) => {
          const { unqueued, pending, failed } = await readDepth();
          gauge.set({ state: 'unqueued' }, unqueued);
          gauge.set({ state: 'pending' }, pending);
          gauge.set({ state: 'failed' }, failed);
        });
      },
    });
    new Gauge({
      name: `${PREFIX}outbox_oldest_waiting_seconds`,
      help: 'Age of the oldest event still waiting to be delivered to some endpoint (0 when none waits): the delivery lag as it stands.',
      registers,
      aggregator: 'first',
      async collect() {
        await fromDatabase(this, async (gauge) => gauge.set((await readDepth()).oldestWaitingSeconds));
      },
    });
  }

  requestServed(request: { method: string; route: string; status: number; seconds: number }): void {
    this.requests.observe(
      { method: request.method, route: request.route, status: request.status },
      request.seconds,
    );
  }

  refreshRan(report: RefreshReport): void {
    for (const outcome of REFRESH_OUTCOMES) {
      if (report[outcome] > 0) this.refreshes.inc({ outcome }, report[outcome]);
    }
  }

  sendEnded(platform: Platform, outcome: SendOutcome, code: ErrorCode | null): void {
    this.sends.inc({ platform, outcome, code: code ?? 'none' });
  }

  revocationEnded(platform: Platform, outcome: RevocationOutcome): void {
    this.revocations.inc({ platform, outcome });
  }

  webhookAttemptSettled(attempt: SettledAttempt): void {
    this.webhookAttempts.inc({ outcome: attempt.status === 'pending' ? 'retrying' : attempt.status });
    if (attempt.status === 'delivered') this.deliveryLag.observe(attempt.lagMs / 1000);
  }

  async scrape(): Promise<MetricsText> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
