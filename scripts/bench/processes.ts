import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server process the bench started, with what it needs to measure it. */
export interface StartedServer {
  readonly process: ChildProcess;
  readonly url: string;
  close(): Promise<void>;
}

/**
 * What an npm script (`start`, `jobs`) runs, read from package.json: its entry under dist/ and the Node
 * flags it runs it with. The bench starts the same entry with the same flags, with nothing between it and
 * the process it measures.
 */
function npmScript(script: 'start' | 'jobs'): { readonly flags: string[]; readonly entry: string } {
  const { scripts } = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
  const match = /^exec node ((?:--\S+ )*)scripts\/run-built\.mjs (\S+)$/.exec(scripts[script] ?? '');
  if (match?.[1] === undefined || match[2] === undefined) {
    throw new Error(
      `package.json's ${script} script is not "exec node [flags] scripts/run-built.mjs <entry>"`,
    );
  }
  return { flags: match[1].split(' ').filter((flag) => flag !== ''), entry: match[2] };
}

const pinned = (cpus: string | null, command: string, args: string[]): [string, string[]] =>
  cpus === null ? [command, args] : ['taskset', ['-c', cpus, command, ...args]];

async function waitFor<T>(what: string, find: () => Promise<T | undefined>, child: ChildProcess): Promise<T> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what}: the process exited with ${child.exitCode}`);
    const found = await find();
    if (found !== undefined) return found;
    await sleep(50);
  }
  throw new Error(`${what}: not ready within 60 s`);
}

const stopper = (child: ChildProcess) => () =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/**
 * What an npm script runs (its built entry under dist/), as production runs it, its JSON log lines
 * written to `logFile` (as a process manager collecting stdout would); resolves once `ready` finds what it
 * waits for in them.
 */
async function startBuilt<T>(
  script: 'start' | 'jobs',
  env: Record<string, string>,
  logFile: string,
  cpus: string | null,
  nodeArgs: readonly string[],
  ready: (lines: string[]) => T | undefined,
): Promise<{ process: ChildProcess; found: T }> {
  const log = openSync(logFile, 'w');
  const { flags, entry } = npmScript(script);
  const [command, args] = pinned(cpus, process.execPath, [...flags, ...nodeArgs, join('dist', entry)]);
  const child = spawn(command, args, {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const found = await waitFor(
    `npm run ${script}`,
    async () => ready((await readFile(logFile, 'utf8')).split('\n')),
    child,
  );
  return { process: child, found };
}

/** The service listening on a free port with `workers` processes. */
export async function startService(
  env: Record<string, string>,
  logFile: string,
  cpus: string | null,
  nodeArgs: readonly string[],
  workers = 1,
): Promise<StartedServer> {
  const { process: child, found: url } = await startBuilt('start', env, logFile, cpus, nodeArgs, (lines) => {
    const listening = lines.filter((line) => line.includes('"msg":"listening"'));
    return listening.length >= workers ? (JSON.parse(listening[0] ?? '') as { url: string }).url : undefined;
  });
  return { process: child, url, close: stopper(child) };
}

/** `npm run jobs`: the background jobs without HTTP, once they have started. */
export async function startJobs(env: Record<string, string>, logFile: string, cpus: string | null) {
  const { process: child } = await startBuilt('jobs', env, logFile, cpus, [], (lines) =>
    lines.some((line) => line.includes('"msg":"background jobs started"')) ? true : undefined,
  );
  return { process: child, close: stopper(child) };
}

/** The bare Hono server (the HTTP stack's ceiling), started the same way as the service. */
export async function startBareHono(script: string, cpus: string | null): Promise<StartedServer> {
  const [command, args] = pinned(cpus, process.execPath, ['--import', 'tsx', script]);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const port = await waitFor('bare Hono', async () => /listening (\d+)/.exec(output)?.[1], child);
  return { process: child, url: `http://127.0.0.1:${port}`, close: stopper(child) };
}

/** Resident memory of a process in MB: its current VmRSS, or VmHWM (the peak so far). */
export function residentMegabytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  return kilobytes === undefined ? Number.NaN : Number(kilobytes) / 1024;
}

// The fields of /proc/<pid>/stat after the command name (which may hold spaces): state, parent pid, ...,
// utime and stime the 12th and 13th.
const statFields = (pid: number) =>
  readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

// Linux reports /proc times in USER_HZ, 100 on every architecture Node runs on.
const CLOCK_TICKS_PER_SECOND = 100;

/** A process and its children (a cluster primary and its workers). */
export function withChildren(pid: number): number[] {
  const children = readdirSync('/proc').filter((entry) => {
    if (!/^\d+$/.test(entry)) return false;
    try {
      return statFields(Number(entry))[1] === String(pid);
    } catch {
      return false;
    }
  });
  return [pid, ...children.map(Number)];
}

/** Resident memory in MB of a process and its children together. */
export const treeMegabytes = (pid: number) =>
  withChildren(pid).reduce((sum, each) => sum + residentMegabytes(each, 'VmRSS'), 0);

/**
 * Runs `during` while sampling a process and its children every 100 ms: their peak VmRSS together, and
 * the share of one core they used (so a server that could not get its core, or waited on the database,
 * shows; several workers can use more than 100).
 */
export async function observed<T>(pid: number, during: () => Promise<T>) {
  const pids = withChildren(pid);
  const cpu = () => pids.reduce((sum, each) => sum + cpuSeconds(each), 0);
  const memory = () => pids.reduce((sum, each) => sum + residentMegabytes(each, 'VmRSS'), 0);
  let peak = memory();
  const timer = setInterval(() => {
    peak = Math.max(peak, memory());
  }, 100);
  const cpuBefore = cpu();
  const started = performance.now();
  try {
    const result = await during();
    const cpuPercent = (100 * (cpu() - cpuBefore)) / ((performance.now() - started) / 1000);
    return { result, peakRssMb: Math.max(peak, memory()), cpuPercent };
  } finally {
    clearInterval(timer);
  }
}
