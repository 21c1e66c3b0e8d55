import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const repository = fileURLToPath(new URL('../..', import.meta.url));

/** The parent pid of a running process, or null once it is gone. */
function parentOf(pid: number): number | null {
  try {
    // The fields after the command name (which may hold spaces): state, then the parent pid.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[1]);
  } catch {
    return null;
  }
}

/** Every live process below `pid` (children, their children, ...). */
export function descendants(pid: number): number[] {
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentOf(Number(entry));
    if (parent !== null) parents.set(Number(entry), parent);
  }
  const found: number[] = [];
  const below = (parent: number) => {
    for (const [child, of] of parents) {
      if (of === parent) {
        found.push(child);
        below(child);
      }
    }
  };
  below(pid);
  return found;
}

export const isAlive = (pid: number) => parentOf(pid) !== null;

export interface NpmProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  output(): string;
  /** Resolves with the exit code (null when a signal ended it) once npm has exited. */
  readonly exited: Promise<number | null>;
  /** Waits until the output holds `text`; throws if npm exits first or `timeoutMs` passes. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
}

/** `npm run <script>` in `cwd` (this repository by default) as a user starts it, with only `env` as settings. */
export function runNpm(
  script: string,
  env: Record<string, string>,
  { cwd = repository, args = [] }: { cwd?: string; args?: readonly string[] } = {},
): NpmProcess {
  const child = spawn('npm', ['run', script, ...(args.length > 0 ? ['--', ...args] : [])], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid === undefined) throw new Error('npm did not start');
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
  let done = false;
  void exited.then(() => {
    done = true;
  });
  return {
    child,
    pid: child.pid,
    output: () => output,
    exited,
    async waitFor(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!output.includes(text)) {
        if (done) throw new Error(`npm run ${script} exited before printing ${text}:\n${output}`);
        if (Date.now() > deadline) throw new Error(`npm run ${script} printed no ${text}:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
