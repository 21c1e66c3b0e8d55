import { sql } from 'drizzle-orm';
import { DrizzleAuditLog } from '../../src/adapters/persistence/drizzle-audit-log.js';
import { DrizzleIntegrationRepository } from '../../src/adapters/persistence/drizzle-integration-repository.js';
import { DrizzleLifecycleStore } from '../../src/adapters/persistence/drizzle-lifecycle-store.js';
import { DrizzleOAuthStateStore } from '../../src/adapters/persistence/drizzle-oauth-state-store.js';
import { DrizzleSealedSecretStore } from '../../src/adapters/persistence/drizzle-sealed-secret-store.js';
import type { AuditLog } from '../../src/application/ports/audit-log.js';
import type { IntegrationRepository } from '../../src/application/ports/integration-repository.js';
import type { LifecycleStore } from '../../src/application/ports/lifecycle-store.js';
import type { OAuthStateStore } from '../../src/application/ports/oauth-state-store.js';
import type { SealedSecretStore } from '../../src/application/ports/sealed-secret-store.js';
import { databaseDrivers, selectRows, type TestDatabase } from './databases.js';
import { inMemoryStores } from './in-memory/in-memory-stores.js';
import { clearIntegrations, lifecycleRow, scheduleAt } from './lifecycle-rows.js';

/** The persistence ports a contract suite proves, and what it looks at or sets beneath them. */
export interface Stores {
  readonly repository: IntegrationRepository;
  readonly lifecycle: LifecycleStore;
  readonly oauthStates: OAuthStateStore;
  readonly sealedSecrets: SealedSecretStore;
  readonly auditLog: AuditLog;
  /** The refresh job's bookkeeping for one integration, as stored. */
  lifecycleRow(id: string): Promise<{
    nextCheckAt: Date | null;
    leaseUntil: Date | null;
    leaseToken: string | null;
    attempts: number;
    updatedAt: Date;
  }>;
  /** Sets when the refresh job should next look at an integration. */
  scheduleAt(id: string, nextCheckAt: Date | null): Promise<void>;
  clearIntegrations(): Promise<void>;
  /** Whether an OAuth transaction with this state hash is still stored. */
  holdsOAuthState(stateHash: string): Promise<boolean>;
  /** The database beneath, for the checks that only a database can answer; null in memory. */
  readonly database: TestDatabase | null;
  dispose(): Promise<void>;
}

function drizzleStores(database: TestDatabase): Stores {
  const { db } = database.handle;
  return {
    repository: new DrizzleIntegrationRepository(db),
    lifecycle: new DrizzleLifecycleStore(db),
    oauthStates: new DrizzleOAuthStateStore(db),
    sealedSecrets: new DrizzleSealedSecretStore(db),
    auditLog: new DrizzleAuditLog(db),
    lifecycleRow: (id) => lifecycleRow(db, id),
    scheduleAt: (id, nextCheckAt) => scheduleAt(db, id, nextCheckAt),
    clearIntegrations: () => clearIntegrations(db),
    holdsOAuthState: async (stateHash) => {
      const rows = await selectRows<{ n: number }>(
        database,
        sql`select count(*)::int as n from oauth_states where state_hash = ${stateHash}`,
      );
      return rows[0]?.n === 1;
    },
    database,
    dispose: () => database.dispose(),
  };
}

function inMemory(): Stores {
  const stores = inMemoryStores();
  return {
    repository: stores.repository,
    lifecycle: stores.lifecycle,
    oauthStates: stores.oauthStates,
    sealedSecrets: stores.sealedSecrets,
    auditLog: stores.auditLog,
    lifecycleRow: async (id) => stores.integrations.bookkeeping(id),
    scheduleAt: async (id, nextCheckAt) => {
      const row = stores.integrations.byId.get(id);
      if (row !== undefined) row.nextCheckAt = nextCheckAt;
    },
    clearIntegrations: async () => stores.integrations.byId.clear(),
    holdsOAuthState: async (stateHash) => stores.oauthStates.byStateHash.has(stateHash),
    database: null,
    dispose: async () => {},
  };
}

/**
 * Drivers for the persistence contract suites: the in-memory fakes the unit tests use, PGlite, and real
 * PostgreSQL unless unavailable. Passing the same suite is what makes the fakes fit to stand in.
 */
export async function storeDrivers() {
  return [
    { name: 'the in-memory fakes', skip: false, open: async () => inMemory() },
    ...(await databaseDrivers()).map((driver) => ({
      name: driver.name,
      skip: driver.skip,
      open: async () => drizzleStores(await driver.open()),
    })),
  ];
}
