import type { FernetKeyMaker } from '../adapters/crypto/fernet.js';
import { FernetSecretCipher } from '../adapters/crypto/fernet-secret-cipher.js';
import { defaultPoolSize, openPostgres } from '../adapters/persistence/postgres.js';
import { errorFields } from '../application/error-fields.js';
import type { Logger } from '../application/ports/logger.js';
import type { LifecycleJobs } from '../application/use-cases/use-cases.js';
import type { Config } from '../config.js';

// What every runtime entry does the same way; web-standard code only, so the edge bundles can import it.

export const invalidConfiguration = (problems: readonly string[]) =>
  `Invalid configuration: ${problems.join('; ')}`;

/** The keyring of a comma-separated ENCRYPTION_KEY (on `makeKey`'s crypto), or the problem with it. */
export async function openKeyring(
  keyList: string,
  makeKey?: FernetKeyMaker,
): Promise<{ ok: true; cipher: FernetSecretCipher } | { ok: false; problem: string }> {
  try {
    return { ok: true, cipher: await FernetSecretCipher.fromKeyList(keyList, makeKey) };
  } catch (error) {
    return { ok: false, problem: `ENCRYPTION_KEY: ${(error as Error).message}` };
  }
}

/** What a configuration that starts still leaves open, for the start-up log of every runtime. */
export function startupWarnings(config: Config): { message: string; hint: string }[] {
  const warnings: { message: string; hint: string }[] = [];
  if (config.outreach.publicBaseUrl === null) {
    warnings.push({
      message: 'no PUBLIC_BASE_URL: outreach email goes out without one-click unsubscribe',
      hint: 'set it to the service’s public origin, e.g. https://outreach.example.com',
    });
  }
  if (config.jwt === null) {
    warnings.push({
      message: 'no AUTH_JWT_SECRET or AUTH_JWKS_URL: any caller can act as any user_id',
      hint: 'development only; set one of them before exposing the service',
    });
  } else if (config.jwt.audience === null && config.environment === 'production') {
    warnings.push({
      message: 'no AUTH_JWT_AUDIENCE: bearer tokens are not checked for this service as their audience',
      hint: 'any token your issuer signs for another service is accepted here; set AUTH_JWT_AUDIENCE',
    });
  }
  return warnings;
}

/** A pool sized by DATABASE_POOL_SIZE, or else from the cores this process has. */
export function openServicePostgres(config: Config & { readonly databaseUrl: string }, cores: number) {
  return openPostgres(config.databaseUrl, {
    maxConnections: config.databasePoolSize ?? defaultPoolSize(cores),
    connectTimeoutSeconds: 1,
  });
}

/** How start-up lines name a PostgreSQL database: never with its credentials. */
export function describePostgres(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  return `PostgreSQL at ${url.hostname}:${url.port || 5432}${url.pathname}`;
}

const SAMPLED_ROWS_PER_TABLE = 20;

/** Why no job may run when sampled secrets were sealed with a key ENCRYPTION_KEY lacks; null when none. */
export async function missingKeyProblem(jobs: LifecycleJobs, database: string): Promise<string | null> {
  const check = await jobs.checkEncryptionKeys(SAMPLED_ROWS_PER_TABLE);
  if (!check.keyMissing) return null;
  return `Stored secrets in ${database} were encrypted with a key that ENCRYPTION_KEY lacks (${check.unreadableRows} of ${check.sampledRows} sampled rows unreadable): add that key after the new one (ENCRYPTION_KEY=new,old), then run npm run rotate-keys.`;
}

export type SignalListener = (signal: 'SIGTERM' | 'SIGINT', handler: () => void) => void;

/**
 * How long the work in flight may take before the process exits anyway: inside the 10 s a process
 * manager (Docker, systemd, Kubernetes) waits after SIGTERM before it kills.
 */
const SHUTDOWN_GRACE_MS = 8_000;

/**
 * On the first SIGTERM or SIGINT: one "shutting down" line, the returned signal aborted (jobs stop taking
 * new work), then `close` (which lets a renewal in flight be saved), then `exit`; after
 * SHUTDOWN_GRACE_MS, `exit(1)` whatever is left. Repeats are ignored: a Ctrl+C reaches a process both from
 * the terminal and from npm, which passes it on.
 */
export function shutDownOnSignal(
  listen: SignalListener,
  logger: Logger,
  close: () => Promise<void>,
  exit: (code: number) => void,
): AbortSignal {
  const stopping = new AbortController();
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    listen(signal, () => {
      if (stopping.signal.aborted) return;
      stopping.abort();
      logger.info('shutting down', { signal });
      setTimeout(() => {
        logger.error('shutdown took too long: exiting with work unfinished', { grace_ms: SHUTDOWN_GRACE_MS });
        exit(1);
      }, SHUTDOWN_GRACE_MS);
      close().then(
        () => exit(0),
        (error: unknown) => {
          logger.error('shutdown failed', errorFields(error));
          exit(1);
        },
      );
    });
  }
  return stopping.signal;
}
