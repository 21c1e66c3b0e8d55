import type { EncryptedSecret } from '../../domain/integration.js';

/** One stored row's sealed secrets, by column; columns without a secret are left out. */
export interface SealedRow {
  readonly table: string;
  /** The row's primary key, as text. */
  readonly key: string;
  readonly secrets: Readonly<Record<string, EncryptedSecret>>;
}

/** Every secret the service has sealed, wherever it is stored, for key checks and key rotation. */
export interface SealedSecretStore {
  /** The tables that hold sealed secrets. */
  readonly tables: readonly string[];
  /** Up to `limit` rows of `table` holding at least one secret, in key order, after the key `after`. */
  page(table: string, after: string | null, limit: number): Promise<SealedRow[]>;
  /** One row as stored now; null when it is gone or holds no secret. */
  get(table: string, key: string): Promise<SealedRow | null>;
  /**
   * Writes `replacements` into the row only while each secret of `row` is still stored unchanged, in
   * one statement; false (nothing written) when the row changed meanwhile or is gone.
   */
  replace(row: SealedRow, replacements: Readonly<Record<string, EncryptedSecret>>): Promise<boolean>;
  /** A few rows of every table from a random starting key: cheap at any table size. */
  sample(rowsPerTable: number): Promise<SealedRow[]>;
}
