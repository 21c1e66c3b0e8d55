import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from './server-process.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Where wrangler keeps its settings and logs, and Deno its cache: inside the project, ignored by git. */
export const EDGE_TOOL_ENV = {
  WRANGLER_SEND_METRICS: 'false',
  XDG_CONFIG_HOME: `${root}.wrangler-home`,
  DENO_DIR: `${root}.deno-cache`,
  CI: 'true',
};

export const WRANGLER = `${root}node_modules/wrangler/bin/wrangler.js`;
export const DENO = `${root}node_modules/@deno/linux-x64-glibc/deno`;

export interface EdgeProcess {
  readonly baseUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `command` in its own process group (wrangler starts workerd and esbuild children), waits until
 * `/healthz` answers `readyStatus` on `port`, and stops the whole group.
 */
async function startEdgeProcess(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  port: number,
  readyStatus = 200,
  timeoutMs = 60_000,
): Promise<EdgeProcess> {
  const child: ChildProcess = spawn(command, args, {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...EDGE_TOOL_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const signal = (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, name);
  };
  // deno serve waits for idle keep-alive connections before it exits on SIGTERM.
  const stop = async () => {
    signal('SIGTERM');
    const killer = setTimeout(() => signal('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${command} exited with ${child.exitCode}:\n${output}`);
    const answer = await fetch(`${baseUrl}/healthz`).catch(() => null);
    if (answer?.status === readyStatus) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not answer within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { baseUrl, output: () => output, stop };
}

/** Hyperdrive's local connection string must carry a password; a trust-auth server ignores it. */
function withPassword(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password === '') url.password = 'postgres';
  return url.toString();
}

/**
 * The Worker under `wrangler dev` (workerd), as wrangler.toml describes it, with `vars` as its
 * variables, its Hyperdrive binding on `databaseUrl`, and `/__scheduled` to fire the cron handler.
 */
export async function startWorker(
  vars: Record<string, string>,
  databaseUrl: string,
  stateDir: string,
  readyStatus = 200,
) {
  const port = await freePort();
  const args = [
    WRANGLER,
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(await freePort()),
    '--persist-to',
    stateDir,
    '--test-scheduled',
    '--show-interactive-dev-session=false',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ];
  return startEdgeProcess(
    process.execPath,
    args,
    { CLOUDFLARE_HYPERDRIVE_LOCAL_CONNECTION_STRING_HYPERDRIVE: withPassword(databaseUrl) },
    port,
    readyStatus,
  );
}

/** `deno serve` on the Deno entry, with `env` as its environment (the README's command). */
export async function startDeno(env: Record<string, string>) {
  const port = await freePort();
  const args = ['serve', '-A', '--sloppy-imports', '--host', '127.0.0.1', '--port', String(port)];
  return startEdgeProcess(DENO, [...args, 'src/runtime/deno.ts'], env, port);
}
