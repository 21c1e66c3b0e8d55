import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RevocationOutcome } from '../../application/ports/audit-log.js';
import {
  REFRESH_OUTCOMES,
  type RefreshReport,
} from '../../application/use-cases/refresh-due-integrations.js';
import type { ErrorCode } from '../../domain/errors.js';
import type { Platform } from '../../domain/platform.js';
import type { MetricsRecorder, MetricsText, SendOutcome } from './metrics-recorder.js';

/** The scrape-time counts, read from the database on each scrape. */
export interface ScrapeQueries {
  integrationCounts(): Promise<{ platform: string; status: string; count: number }[]>;
  serverConnections(): Promise<{ state: string; count: number }[]>;
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

  async scrape(): Promise<MetricsText> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
