import { cpus } from 'node:os';
import type { LoadShape, Measurement, SideBySideMeasurement } from './load.js';
import type { OutboxFigures } from './outbox.js';

export interface Row extends Measurement {
  readonly name: string;
  /** The measured process's peak VmRSS during the row's run; null where it is not ours (pgbench). */
  readonly peakRssMb: number | null;
  /** The measured process's CPU use during the run (warm-up included), in % of one core. */
  readonly cpuPercent: number | null;
}

export interface Report {
  readonly rows: readonly Row[];
  /** Capabilities and the pre-checks interleaved; null when they did not both run. */
  readonly sideBySide: {
    readonly rounds: number;
    readonly seconds: number;
    readonly rows: readonly SideBySideMeasurement[];
  } | null;
  /** The outbox scenario's figures; null when it did not run. */
  readonly outbox: OutboxFigures | null;
  readonly fernetOps: number;
  readonly startRssMb: number;
  readonly endRssMb: number;
  readonly statements: readonly string[];
  readonly seedSeconds: number;
  readonly users: number;
  readonly shape: LoadShape;
  readonly serverCpus: string | null;
  readonly loadBefore: string;
  readonly loadAfter: string;
  readonly checkTargets: boolean;
}

const fixed = (value: number | null, digits: number) => (value === null ? '-' : value.toFixed(digits));
const percent = (part: number, whole: number) => `${((100 * part) / whole).toFixed(0)}%`;

function table(rows: readonly Row[]): string {
  const header = ['scenario', 'requests/s', 'p50 ms', 'p99 ms', 'errors', 'peak RSS MB', 'server CPU'];
  const cells = rows.map((row) => [
    row.name,
    row.requestsPerSecond.toFixed(0),
    fixed(row.p50Ms, 2),
    fixed(row.p99Ms, 2),
    String(row.errors),
    fixed(row.peakRssMb, 0),
    row.cpuPercent === null ? '-' : `${row.cpuPercent.toFixed(0)}%`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...cells.map((cell) => cell[column]?.length ?? 0)),
  );
  const line = (cell: readonly string[]) =>
    `| ${cell.map((text, column) => (column === 0 ? text.padEnd(widths[column] ?? 0) : text.padStart(widths[column] ?? 0))).join(' | ')} |`;
  const rule = `|${widths.map((width, column) => (column === 0 ? '-'.repeat(width + 2) : `${'-'.repeat(width + 1)}:`)).join('|')}|`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

const rowNamed = <T extends { readonly name: string }>(rows: readonly T[], prefix: string) =>
  rows.find((row) => row.name.startsWith(prefix));

/** Each pre-check's requests/s as a share of capabilities' among `rows`. */
function preCheckShares(rows: readonly SideBySideMeasurement[]) {
  const capabilities = rowNamed(rows, 'GET capabilities');
  if (capabilities === undefined) return [];
  return rows
    .filter((row) => row.name.startsWith('GET pre-check'))
    .map(({ name, requestsPerSecond }) => ({
      name,
      share: requestsPerSecond / capabilities.requestsPerSecond,
    }));
}

/** Prints the table, the ratios and (for a full run) each target; true when something failed outright. */
export function printReport(report: Report): boolean {
  const { rows, shape } = report;
  const bare = rowNamed(rows, 'bare Hono');
  const pgbench = rowNamed(rows, 'pgbench');
  const capabilities = rowNamed(rows, 'GET capabilities');
  const list = rowNamed(rows, 'GET list');
  const create = rowNamed(rows, 'POST create');
  const metaSend = rowNamed(rows, 'POST send (Facebook');
  const emailSend = rowNamed(rows, 'POST send (email');
  const delivering = rows.find((row) => row.name.includes('events/s delivering'));
  const { outbox } = report;
  const out: string[] = ['', table(rows), ''];
  out.push(
    `Fernet encrypt+decrypt of a 200-byte token: ${report.fernetOps.toFixed(0)} round trips/s (one core, sequential)`,
  );
  out.push(
    `Service RSS: ${report.startRssMb.toFixed(0)} MB after start-up, ${report.endRssMb.toFixed(0)} MB at the end of the run`,
  );
  out.push(
    `GET capabilities sends ${report.statements.length} statement(s): ${report.statements.join('; ')}`,
  );
  if (bare && pgbench && capabilities && list) {
    out.push(
      `GET capabilities = ${percent(capabilities.requestsPerSecond, bare.requestsPerSecond)} of bare Hono, ` +
        `${percent(capabilities.requestsPerSecond, pgbench.requestsPerSecond)} of pgbench; ` +
        `GET list = ${percent(list.requestsPerSecond, capabilities.requestsPerSecond)} of GET capabilities`,
    );
  }
  const sharesText = (shares: ReturnType<typeof preCheckShares>) =>
    `${shares.map(({ name, share }) => `${name} = ${percent(share, 1)}`).join(', ')} of GET capabilities`;
  const inSequence = preCheckShares(rows);
  if (inSequence.length > 0) out.push(`In the rows above, ${sharesText(inSequence)}`);
  const sideBySideShares = preCheckShares(report.sideBySide?.rows ?? []);
  if (report.sideBySide !== null && sideBySideShares.length > 0) {
    const { rounds, seconds, rows: measured } = report.sideBySide;
    const figures = measured.map((row) => `${row.name} ${row.requestsPerSecond.toFixed(0)}/s`);
    out.push(
      `Side by side (${rounds} rounds of ${seconds} s each, the order rotating): ${figures.join(', ')}; ` +
        sharesText(sideBySideShares),
    );
  }
  if (outbox !== null) {
    out.push(
      `Webhooks: a burst of ${outbox.burstEvents} events delivered at ${outbox.burstEventsPerSecond.toFixed(0)} events/s; ` +
        `${outbox.steadyEvents} events at ${outbox.steadyRatePerSecond}/s under capabilities load arrived ` +
        `${fixed(outbox.lagP50Ms, 0)} ms (p50) / ${fixed(outbox.lagP99Ms, 0)} ms (p99) after their commit, ` +
        `delivered by npm run jobs beside the service (BACKGROUND_JOBS=false), using ` +
        `${fixed(outbox.jobsCpuPercent, 0)}% of a core` +
        (outbox.jobsCpus === null ? '' : ` on CPU ${outbox.jobsCpus}`),
    );
  }
  if (capabilities && delivering) {
    out.push(
      `GET capabilities while delivering = ${percent(delivering.requestsPerSecond, capabilities.requestsPerSecond)} of without webhooks`,
    );
  }
  out.push(
    `${report.users} users × 4 platforms seeded in ${report.seedSeconds.toFixed(1)} s; ${shape.connections} connections, ` +
      `${shape.warmupSeconds} s warm-up + ${shape.seconds} s per scenario, a random user per request; ` +
      (report.serverCpus === null
        ? 'nothing pinned'
        : `servers on CPU ${report.serverCpus}, wrk/pgbench on CPU ${shape.cpus}, PostgreSQL unpinned`),
  );
  out.push(
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}; ` +
      `load average ${report.loadBefore} before, ${report.loadAfter} after`,
  );

  const sideBySideRows = (report.sideBySide?.rows ?? []).map((row) => ({
    ...row,
    name: `${row.name} (side by side)`,
  }));
  const failures = [...rows, ...sideBySideRows].filter(
    (row) => row.errors > 0 || !Number.isFinite(row.requestsPerSecond),
  );
  if (failures.length > 0) out.push(`ERRORS in: ${failures.map((row) => row.name).join(', ')}`);
  const target = (met: boolean, text: string) => {
    if (!out.includes('Targets:')) out.push('', 'Targets:');
    out.push(`${met ? 'met   ' : 'MISSED'} ${text}`);
  };
  if (report.checkTargets && bare && pgbench && capabilities && list && create) {
    const ofBare = capabilities.requestsPerSecond / bare.requestsPerSecond;
    const ofPgbench = capabilities.requestsPerSecond / pgbench.requestsPerSecond;
    const listShare = list.requestsPerSecond / capabilities.requestsPerSecond;
    target(ofBare >= 0.5, `capabilities ≥ 50% of bare Hono: ${percent(ofBare, 1)}`);
    target(ofPgbench >= 0.5, `capabilities ≥ 50% of pgbench: ${percent(ofPgbench, 1)}`);
    target(
      (capabilities.p99Ms ?? Infinity) < 20,
      `capabilities p99 < 20 ms: ${fixed(capabilities.p99Ms, 2)} ms`,
    );
    target(capabilities.errors === 0, `capabilities without errors: ${capabilities.errors}`);
    target(listShare >= 0.8, `list ≥ 80% of capabilities: ${percent(listShare, 1)}`);
    target((create.p99Ms ?? Infinity) < 50, `create p99 < 50 ms: ${fixed(create.p99Ms, 2)} ms`);
    for (const { name, share } of sideBySideShares) {
      target(share >= 1, `${name} at least as fast as capabilities, side by side: ${percent(share, 1)}`);
    }
    if (metaSend) {
      target(
        metaSend.requestsPerSecond >= 1000 && metaSend.errors === 0,
        `Meta ≥ 1,000 sends/s without errors: ${metaSend.requestsPerSecond.toFixed(0)}/s, ${metaSend.errors} errors`,
      );
    }
    if (emailSend) {
      target(
        emailSend.requestsPerSecond >= 200 && emailSend.errors === 0,
        `email ≥ 200 sends/s without errors: ${emailSend.requestsPerSecond.toFixed(0)}/s, ${emailSend.errors} errors`,
      );
    }
    target(report.endRssMb < 150, `service RSS < 150 MB at the end: ${report.endRssMb.toFixed(0)} MB`);
  }
  // Also with --only capabilities,outbox.
  if (report.checkTargets && outbox !== null && capabilities && delivering) {
    const share = delivering.requestsPerSecond / capabilities.requestsPerSecond;
    target(
      outbox.burstEventsPerSecond >= 1000,
      `webhooks ≥ 1,000 events/s delivered: ${outbox.burstEventsPerSecond.toFixed(0)}`,
    );
    target(outbox.lagP99Ms < 2000, `delivery lag p99 < 2 s under load: ${fixed(outbox.lagP99Ms, 0)} ms`);
    target(share >= 0.95, `capabilities while delivering ≥ 95% of without: ${percent(share, 1)}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return failures.length > 0;
}
