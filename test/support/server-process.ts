import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const entry = fileURLToPath(new URL('../../src/runtime/node.ts', import.meta.url));

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export interface ServerProcess {
  readonly baseUrl: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Sends `signal` and resolves with the exit code (null when the signal ended it). */
  kill(signal: NodeJS.Signals): Promise<number | null>;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', resolve));
}

/** Runs a TypeScript script as its own process with only `env` as its settings, collecting its output. */
export function spawnCapturing(
  script: string,
  args: readonly string[],
  env: Record<string, string>,
  echo = false,
): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output += chunk;
    if (echo) process.stdout.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, output: () => output };
}

/**
 * Runs the Node entry point as its own process, the way `npm start` does, with only `env` as its settings.
 * With `echo`, its output also goes to this process's stdout (the demo shows the service's log).
 */
export function runServer(
  env: Record<string, string>,
  echo = false,
): { child: ChildProcess; output: () => string } {
  return spawnCapturing(entry, [], env, echo);
}

/** Runs a command of `src/runtime/cli` (as `npm run refresh` etc. do) to its end, with only `env` as its settings. */
export async function runCommand(
  name: string,
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const script = fileURLToPath(new URL(`../../src/runtime/cli/${name}.ts`, import.meta.url));
  const { child, output } = spawnCapturing(script, args, env);
  // 'close' comes after the output streams end, so nothing the command printed is missed.
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, output: output() };
}

/** Starts the server (on `env.PORT`, or a free port) and waits until it listens. */
export async function startServer(
  env: Record<string, string>,
  { timeoutMs = 30_000, echo = false }: { timeoutMs?: number; echo?: boolean } = {},
): Promise<ServerProcess> {
  const port = env.PORT === undefined ? await freePort() : Number(env.PORT);
  const { child, output } = runServer({ HOST: '127.0.0.1', ...env, PORT: String(port) }, echo);
  const deadline = Date.now() + timeoutMs;
  while (!output().includes('"msg":"listening"')) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not start within ${timeoutMs} ms:\n${output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    output,
    stop: () => {
      child.kill('SIGTERM');
      return exited(child);
    },
    kill: (signal) => {
      child.kill(signal);
      return exited(child);
    },
  };
}

/** Runs the server expecting it to refuse to start; resolves with its exit code and output. */
export async function failedStart(
  env: Record<string, string>,
): Promise<{ code: number | null; output: string }> {
  const { child, output } = runServer({ HOST: '127.0.0.1', PORT: String(await freePort()), ...env });
  const code = await exited(child);
  return { code, output: output() };
}
