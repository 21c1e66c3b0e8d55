import type { PgliteDirectoryInUse } from '../adapters/persistence/pglite-directory-lock.js';

// What a process says when what it needs is taken by another one: one line, naming the fix.

export function portInUse(host: string, port: number, setting = 'PORT'): string {
  return `Port ${port} on ${host} is in use, by another process (a second npm start?): stop it, or set ${setting} to a free port.`;
}

export function pgliteInUse(error: PgliteDirectoryInUse): string {
  const holder = error.holder === null ? 'another process' : `process ${error.holder}`;
  return (
    `The embedded PGlite database in ${error.directory} is in use by ${holder}, and PGlite serves one ` +
    'process at a time: stop that process first (a running server refreshes integrations itself), or set ' +
    'DATABASE_URL to a PostgreSQL database to run several processes (npm start, npm run refresh) on it.'
  );
}

export function pgliteServesOneWorker(workers: number): string {
  return (
    `WEB_CONCURRENCY=${workers} needs PostgreSQL: the embedded PGlite database serves one process. ` +
    'Set DATABASE_URL to a PostgreSQL database, or WEB_CONCURRENCY=1.'
  );
}

export function pgliteRunsNoJobsProcess(): string {
  return (
    'npm run jobs runs the background jobs beside servers started with BACKGROUND_JOBS=false, and needs ' +
    'PostgreSQL: the embedded PGlite database serves one process. Set DATABASE_URL to a PostgreSQL ' +
    'database, or run npm start alone with BACKGROUND_JOBS=true (the default), which runs the jobs itself.'
  );
}
