import type { SealedRow, SealedSecretStore } from '../../../src/application/ports/sealed-secret-store.js';
import type { EncryptedSecret } from '../../../src/domain/integration.js';
import type { InMemoryOAuthStateStore } from './in-memory-oauth-state-store.js';
import type { InMemoryIntegrationRows } from './integration-rows.js';

type Secrets = Record<string, EncryptedSecret | null>;

/** One table's rows by key, and how to read and write a row's sealed columns. */
interface SealedTable {
  keys(): string[];
  read(key: string): Secrets | undefined;
  write(key: string, replacements: Readonly<Record<string, EncryptedSecret>>): void;
}

/** DrizzleSealedSecretStore's view of every sealed column, over the in-memory rows and OAuth states. */
export class InMemorySealedSecretStore implements SealedSecretStore {
  private readonly sealedTables: Readonly<Record<string, SealedTable>>;
  readonly tables: readonly string[];

  constructor(integrations: InMemoryIntegrationRows, oauthStates: InMemoryOAuthStateStore) {
    this.sealedTables = {
      social_integrations: {
        keys: () => [...integrations.byId.keys()],
        read: (key) => {
          const integration = integrations.byId.get(key)?.integration;
          return (
            integration && {
              accessToken: integration.accessToken,
              refreshToken: integration.refreshToken,
              smtpPassword: integration.smtpPassword,
            }
          );
        },
        write: (key, replacements) => {
          const row = integrations.byId.get(key);
          if (row !== undefined) row.integration = { ...row.integration, ...replacements };
        },
      },
      oauth_states: {
        keys: () => [...oauthStates.byStateHash.keys()],
        read: (key) => {
          const transaction = oauthStates.byStateHash.get(key);
          return transaction && { codeVerifier: transaction.codeVerifier };
        },
        write: (key, replacements) => {
          const transaction = oauthStates.byStateHash.get(key);
          if (transaction !== undefined)
            oauthStates.byStateHash.set(key, { ...transaction, ...replacements });
        },
      },
    };
    this.tables = Object.keys(this.sealedTables);
  }

  async page(table: string, after: string | null, limit: number): Promise<SealedRow[]> {
    return this.rows(table)
      .filter((row) => after === null || row.key > after)
      .slice(0, limit);
  }

  async get(table: string, key: string): Promise<SealedRow | null> {
    return this.rows(table).find((row) => row.key === key) ?? null;
  }

  async replace(row: SealedRow, replacements: Readonly<Record<string, EncryptedSecret>>): Promise<boolean> {
    const sealed = this.sealedTable(row.table);
    const stored = sealed.read(row.key);
    if (stored === undefined) return false;
    const unchanged = Object.entries(row.secrets).every(([column, value]) => stored[column] === value);
    if (unchanged) sealed.write(row.key, replacements);
    return unchanged;
  }

  async sample(rowsPerTable: number): Promise<SealedRow[]> {
    return this.tables.flatMap((table) => {
      const rows = this.rows(table);
      const start = Math.floor(Math.random() * rows.length);
      return [...rows.slice(start), ...rows.slice(0, start)].slice(0, rowsPerTable);
    });
  }

  /** The table's rows holding at least one secret, in key order. */
  private rows(table: string): SealedRow[] {
    const sealed = this.sealedTable(table);
    return sealed
      .keys()
      .sort()
      .flatMap((key) => {
        const secrets = Object.fromEntries(
          Object.entries(sealed.read(key) ?? {}).filter(
            (entry): entry is [string, EncryptedSecret] => entry[1] !== null,
          ),
        );
        return Object.keys(secrets).length === 0 ? [] : [{ table, key, secrets }];
      });
  }

  private sealedTable(name: string): SealedTable {
    const sealed = this.sealedTables[name];
    if (sealed === undefined) throw new Error(`No sealed secrets are stored in ${name}`);
    return sealed;
  }
}
