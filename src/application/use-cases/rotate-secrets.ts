import type { EncryptedSecret } from '../../domain/integration.js';
import type { SealedRow, SealedSecretStore } from '../ports/sealed-secret-store.js';
import { InvalidToken, type SecretCipher } from '../ports/secret-cipher.js';

export interface RotateSecretsDeps {
  readonly sealedSecrets: SealedSecretStore;
  readonly cipher: SecretCipher;
}

export interface RotationCounts {
  /** Rows holding secrets that were read. */
  readonly rows: number;
  /** Secrets re-sealed with the newest key. */
  readonly resealed: number;
  /** Secrets the newest key had sealed already. */
  readonly current: number;
  /** Secrets no configured key opens, left as they are. */
  readonly unreadable: number;
  /** Rows that kept changing under the rotation (written by the service each time they were tried). */
  readonly unsettled: number;
}

export interface RotationProgress extends RotationCounts {
  readonly table: string;
}

export interface RotationReport {
  readonly tables: Readonly<Record<string, RotationCounts>>;
  readonly total: RotationCounts;
  /** True when every secret read is now sealed with the newest key, so older keys can be removed. */
  readonly complete: boolean;
}

export interface RotationOptions {
  readonly batchSize: number;
  /** Called after every batch with the table's running counts. */
  readonly onProgress?: (progress: RotationProgress) => void;
}

const ZERO: RotationCounts = { rows: 0, resealed: 0, current: 0, unreadable: 0, unsettled: 0 };

// A row changed by the service between read and write is read again; the service writes with the
// newest key too, so a second read normally finds it current.
const TRIES_PER_ROW = 3;

const add = (a: RotationCounts, b: RotationCounts): RotationCounts => ({
  rows: a.rows + b.rows,
  resealed: a.resealed + b.resealed,
  current: a.current + b.current,
  unreadable: a.unreadable + b.unreadable,
  unsettled: a.unsettled + b.unsettled,
});

/** One try at a row: its counts once written (or nothing to write), null when it changed meanwhile. */
async function tryRow(row: SealedRow, deps: RotateSecretsDeps): Promise<RotationCounts | null> {
  const replacements: Record<string, EncryptedSecret> = {};
  let current = 0;
  let unreadable = 0;
  for (const [column, sealed] of Object.entries(row.secrets)) {
    if (await deps.cipher.isCurrent(sealed)) {
      current += 1;
      continue;
    }
    try {
      replacements[column] = await deps.cipher.reseal(sealed);
    } catch (error) {
      if (!(error instanceof InvalidToken)) throw error;
      unreadable += 1;
    }
  }
  const resealed = Object.keys(replacements).length;
  if (resealed > 0 && !(await deps.sealedSecrets.replace(row, replacements))) return null;
  return { rows: 1, resealed, current, unreadable, unsettled: 0 };
}

async function rotateRow(first: SealedRow, deps: RotateSecretsDeps): Promise<RotationCounts> {
  let row: SealedRow | null = first;
  for (let attempt = 0; attempt < TRIES_PER_ROW && row !== null; attempt++) {
    const counts = await tryRow(row, deps);
    if (counts !== null) return counts;
    row = await deps.sealedSecrets.get(row.table, row.key);
  }
  return row === null ? ZERO : { ...ZERO, rows: 1, unsettled: 1 };
}

/**
 * Re-seals every stored secret with the newest key (`ENCRYPTION_KEY`'s first), table by table in key
 * order and in batches. Safe while the service runs: each row is written in one statement and only if
 * its secrets are still the ones read, so a token saved meanwhile is never overwritten. Resumable: a
 * secret the newest key already sealed is only counted, so a rerun after a crash finishes the rest.
 */
export function rotateSecrets(deps: RotateSecretsDeps) {
  return async ({ batchSize, onProgress }: RotationOptions): Promise<RotationReport> => {
    const tables: Record<string, RotationCounts> = {};
    let total = ZERO;
    for (const table of deps.sealedSecrets.tables) {
      let counts = ZERO;
      let after: string | null = null;
      for (;;) {
        const rows: SealedRow[] = await deps.sealedSecrets.page(table, after, batchSize);
        const last = rows.at(-1);
        if (last === undefined) break;
        const done = await Promise.all(rows.map((row) => rotateRow(row, deps)));
        counts = done.reduce(add, counts);
        onProgress?.({ table, ...counts });
        after = last.key;
      }
      tables[table] = counts;
      total = add(total, counts);
    }
    return { tables, total, complete: total.unreadable === 0 && total.unsettled === 0 };
  };
}
