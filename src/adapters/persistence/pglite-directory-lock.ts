import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

// Node-only. PGlite has no lock of its own: a second process on the same directory corrupts it or
// aborts inside WebAssembly. Like PostgreSQL's postmaster.pid, a file beside the directory names the
// process holding it; a file naming a process that is gone is left from a crash and taken over.

/** Another live process holds the directory. */
export class PgliteDirectoryInUse extends Error {
  constructor(
    readonly directory: string,
    readonly lockFile: string,
    /** The holder's pid, or null while it is still writing it. */
    readonly holder: number | null,
  ) {
    super(`${directory} is held by process ${holder ?? 'unknown'} (${lockFile})`);
    this.name = 'PgliteDirectoryInUse';
  }
}

const heldHere = new Set<string>();

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function holderOf(lockFile: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(lockFile, 'utf8'), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function release(lockFile: string): void {
  if (!heldHere.delete(lockFile)) return;
  rmSync(lockFile, { force: true });
  if (heldHere.size === 0) process.off('exit', releaseAll);
}

function releaseAll(): void {
  for (const lockFile of heldHere) release(lockFile);
}

/**
 * Takes `<directory>.lock` for this process, or throws `PgliteDirectoryInUse`; the returned function
 * gives it back (so does the process's exit, however it ends short of a kill).
 */
export async function lockPgliteDirectory(directory: string): Promise<() => void> {
  const lockFile = `${directory}.lock`;
  await mkdir(dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lockFile, `${process.pid}\n`, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = holderOf(lockFile);
      // This pid's own file is stale unless this process took it: a container restarts as pid 1 again.
      const held = holder === null || (holder === process.pid ? heldHere.has(lockFile) : isRunning(holder));
      if (held || attempt > 0) throw new PgliteDirectoryInUse(directory, lockFile, holder);
      rmSync(lockFile, { force: true });
    }
  }
  if (heldHere.size === 0) process.on('exit', releaseAll);
  heldHere.add(lockFile);
  return () => release(lockFile);
}
