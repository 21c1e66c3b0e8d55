import { and, asc, eq, gt, gte, isNotNull, lt, or, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { SealedRow, SealedSecretStore } from '../../application/ports/sealed-secret-store.js';
import type { EncryptedSecret } from '../../domain/integration.js';
import type { Database } from './database.js';
import { oauthStates, socialIntegrations } from './schema.js';

interface SealedTable {
  readonly table: PgTable;
  readonly key: PgColumn;
  /** The columns holding sealed secrets, by property name. */
  readonly secrets: Readonly<Record<string, PgColumn>>;
  /** A random key to start a sample at, shaped like the table's keys. */
  readonly randomKey: () => string;
}

const randomHex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');

/** Every table and column the service seals secrets into. */
const SEALED_TABLES = {
  social_integrations: {
    table: socialIntegrations,
    key: socialIntegrations.id,
    secrets: {
      accessToken: socialIntegrations.accessToken,
      refreshToken: socialIntegrations.refreshToken,
      smtpPassword: socialIntegrations.smtpPassword,
      imapPassword: socialIntegrations.imapPassword,
    },
    randomKey: () => crypto.randomUUID(),
  },
  oauth_states: {
    table: oauthStates,
    key: oauthStates.stateHash,
    secrets: { codeVerifier: oauthStates.codeVerifier },
    randomKey: () => randomHex(32),
  },
} as const satisfies Record<string, SealedTable>;

type TableName = keyof typeof SEALED_TABLES;

function sealedTable(name: string): SealedTable {
  if (!(name in SEALED_TABLES)) throw new Error(`No sealed secrets are stored in ${name}`);
  return SEALED_TABLES[name as TableName];
}

/** The sealed secrets in every table, on PGlite or PostgreSQL. */
export class DrizzleSealedSecretStore implements SealedSecretStore {
  readonly tables = Object.keys(SEALED_TABLES);

  constructor(private readonly db: Database) {}

  page(table: string, after: string | null, limit: number): Promise<SealedRow[]> {
    const sealed = sealedTable(table);
    return this.select(table, after === null ? undefined : gt(sealed.key, after), limit);
  }

  async get(table: string, key: string): Promise<SealedRow | null> {
    const [row] = await this.select(table, eq(sealedTable(table).key, key), 1);
    return row ?? null;
  }

  async replace(row: SealedRow, replacements: Readonly<Record<string, EncryptedSecret>>): Promise<boolean> {
    const sealed = sealedTable(row.table);
    const unchanged = Object.entries(row.secrets).map(([property, value]) =>
      eq(this.column(sealed, property), value),
    );
    const written = await this.db
      .update(sealed.table)
      .set(replacements)
      .where(and(eq(sealed.key, row.key), ...unchanged))
      .returning({ key: sealed.key });
    return written.length > 0;
  }

  async sample(rowsPerTable: number): Promise<SealedRow[]> {
    const samples = await Promise.all(
      this.tables.map(async (table) => {
        const sealed = sealedTable(table);
        // From a random key onwards, wrapping around to the first keys: an index range, never a scan.
        const start = sealed.randomKey();
        const fromStart = await this.select(table, gte(sealed.key, start), rowsPerTable);
        const wrapped =
          fromStart.length < rowsPerTable
            ? await this.select(table, lt(sealed.key, start), rowsPerTable - fromStart.length)
            : [];
        return [...fromStart, ...wrapped];
      }),
    );
    return samples.flat();
  }

  private column(sealed: SealedTable, property: string): PgColumn {
    const column = sealed.secrets[property];
    if (column === undefined) throw new Error(`${property} holds no sealed secret`);
    return column;
  }

  private async select(table: string, where: SQL | undefined, limit: number): Promise<SealedRow[]> {
    const sealed = sealedTable(table);
    const columns = Object.values(sealed.secrets);
    const rows = await this.db
      .select({ key: sealed.key, ...sealed.secrets })
      .from(sealed.table)
      .where(and(where, or(...columns.map((column) => isNotNull(column)))))
      .orderBy(asc(sealed.key))
      .limit(limit);
    return rows.map((row) => {
      const { key, ...values } = row as Record<string, unknown>;
      const secrets = Object.fromEntries(
        Object.entries(values).filter(
          (entry): entry is [string, EncryptedSecret] => typeof entry[1] === 'string',
        ),
      );
      return { table, key: String(key), secrets };
    });
  }
}
