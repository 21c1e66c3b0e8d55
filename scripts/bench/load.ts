import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const WRK_SCRIPT = fileURLToPath(new URL('./wrk-random-user.lua', import.meta.url));

/** One row of the bench's table. Latencies in milliseconds; null where the tool does not give one. */
export interface Measurement {
  readonly requestsPerSecond: number;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Answers of 400 and above, plus connect, read, write and timeout errors. */
  readonly errors: number;
}

export interface LoadShape {
  readonly connections: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** `taskset -c` list the load generator runs on, or null to leave it to the scheduler. */
  readonly cpus: string | null;
  /** How many threads wrk and pgbench use. */
  readonly threads: number;
}

const pinned = (cpus: string | null, command: string, args: string[]): [string, string[]] =>
  cpus === null ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];

interface WrkResult {
  readonly requests: number;
  readonly duration_us: number;
  readonly connect: number;
  readonly read: number;
  readonly write: number;
  readonly status: number;
  readonly timeout: number;
  readonly p50_us: number;
  readonly p99_us: number;
}

const errorsOf = (result: WrkResult) =>
  result.status + result.connect + result.read + result.write + result.timeout;

async function wrk(url: string, mode: string, usersFile: string, shape: LoadShape, seconds: number) {
  const [command, args] = pinned(shape.cpus, 'wrk', [
    `-t${shape.threads}`,
    `-c${shape.connections}`,
    `-d${seconds}s`,
    '--timeout',
    '5s',
    '-s',
    WRK_SCRIPT,
    url,
    '--',
    mode,
    usersFile,
    // Makes each request's Idempotency-Key unique across runs, warm-up included.
    `${process.pid}.${Date.now()}`,
  ]);
  const { stdout } = await run(command, args, { maxBuffer: 1 << 20 });
  const line = stdout.split('\n').find((text) => text.startsWith('WRK_RESULT '));
  if (line === undefined) throw new Error(`wrk printed no result:\n${stdout}`);
  return JSON.parse(line.slice('WRK_RESULT '.length)) as WrkResult;
}

/**
 * Drives `url` with wrk from its own process (and cores): a warm-up that is thrown away, then the measured
 * run. `mode` is `get:<path>`, `create`, `precheck:<platform>` or `send:<platform>` (see
 * wrk-random-user.lua); each request picks a random user.
 */
export async function measureHttp(
  url: string,
  mode: string,
  usersFile: string,
  shape: LoadShape,
): Promise<Measurement> {
  if (shape.warmupSeconds > 0) await wrk(url, mode, usersFile, shape, shape.warmupSeconds);
  const result = await wrk(url, mode, usersFile, shape, shape.seconds);
  return {
    requestsPerSecond: result.requests / (result.duration_us / 1e6),
    p50Ms: result.p50_us / 1000,
    p99Ms: result.p99_us / 1000,
    errors: errorsOf(result),
  };
}

/** How fast one scenario went over all of its rounds side by side with the others. */
export interface SideBySideMeasurement {
  readonly name: string;
  readonly requestsPerSecond: number;
  readonly errors: number;
}

/**
 * Drives `url` with each scenario's `mode` in turn, `rounds` times for `seconds` each, the order rotating by
 * one each round, and gives each scenario's requests/s over all of its rounds. Measured one after the other, two
 * scenarios compare the machine at two moments as much as the two requests (this VM's speed drifts by
 * 15–30% within minutes); interleaved, each meets the same drift and the same service state. No warm-up:
 * the modes are meant to have run before on the same service.
 */
export async function measureSideBySide(
  url: string,
  scenarios: readonly { readonly name: string; readonly mode: string }[],
  usersFile: string,
  shape: LoadShape,
  rounds: number,
  seconds: number,
): Promise<SideBySideMeasurement[]> {
  const totals = scenarios.map(({ name, mode }) => ({ name, mode, requests: 0, durationUs: 0, errors: 0 }));
  for (let round = 0; round < rounds; round += 1) {
    for (let turn = 0; turn < totals.length; turn += 1) {
      const total = totals[(round + turn) % totals.length];
      if (total === undefined) continue;
      const result = await wrk(url, total.mode, usersFile, shape, seconds);
      total.requests += result.requests;
      total.durationUs += result.duration_us;
      total.errors += errorsOf(result);
    }
  }
  return totals.map(({ name, requests, durationUs, errors }) => ({
    name,
    requestsPerSecond: requests / (durationUs / 1e6),
    errors,
  }));
}

function percentile(sorted: readonly number[], fraction: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? null;
}

/**
 * pgbench running `script` (a pgbench script file) with as many clients as the HTTP runs have
 * connections, in prepared mode as postgres.js runs statements. Per-transaction logs (in `logDirectory`)
 * give the latency percentiles.
 */
export async function measurePgbench(
  databaseUrl: string,
  script: string,
  shape: LoadShape,
  logDirectory: string,
): Promise<Measurement> {
  const common = ['-n', '-M', 'prepared', `-c${shape.connections}`, `-j${shape.threads}`, '-f', script];
  const warmup = pinned(shape.cpus, 'pgbench', [...common, `-T${shape.warmupSeconds}`, databaseUrl]);
  if (shape.warmupSeconds > 0) await run(...warmup);
  const [command, args] = pinned(shape.cpus, 'pgbench', [...common, `-T${shape.seconds}`, '-l', databaseUrl]);
  const { stdout } = await run(command, args, { cwd: logDirectory, maxBuffer: 1 << 20 });
  const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout)?.[1];
  if (tps === undefined) throw new Error(`pgbench printed no tps:\n${stdout}`);
  const failed = Number(/number of failed transactions: (\d+)/.exec(stdout)?.[1] ?? 0);
  const latencies: number[] = [];
  for (const name of await readdir(logDirectory)) {
    if (!name.startsWith('pgbench_log.')) continue;
    // Each line: client_id transaction_no latency_us script_no time_epoch time_us
    for (const line of (await readFile(`${logDirectory}/${name}`, 'utf8')).split('\n')) {
      const latency = Number(line.split(' ')[2]);
      if (Number.isFinite(latency) && line !== '') latencies.push(latency);
    }
  }
  latencies.sort((a, b) => a - b);
  const p50 = percentile(latencies, 0.5);
  const p99 = percentile(latencies, 0.99);
  return {
    requestsPerSecond: Number(tps),
    p50Ms: p50 === null ? null : p50 / 1000,
    p99Ms: p99 === null ? null : p99 / 1000,
    errors: failed,
  };
}
