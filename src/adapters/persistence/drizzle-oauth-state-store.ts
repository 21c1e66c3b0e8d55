import { eq, lte } from 'drizzle-orm';
import type { OAuthStateStore, OAuthTransaction } from '../../application/ports/oauth-state-store.js';
import type { EncryptedSecret } from '../../domain/integration.js';
import { isTokenPlatform } from '../../domain/platform.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { readLoginType } from './row-mapping.js';
import { oauthStates as table } from './schema.js';

/** OAuth state in the `oauth_states` table, on PGlite or PostgreSQL. */
export class DrizzleOAuthStateStore implements OAuthStateStore {
  constructor(private readonly db: Database) {}

  async save(transaction: OAuthTransaction): Promise<void> {
    await reachable(() => this.db.delete(table).where(lte(table.expiresAt, transaction.createdAt)));
    await reachable(() => this.db.insert(table).values(transaction));
  }

  async take(stateHash: string): Promise<OAuthTransaction | null> {
    // One DELETE ... RETURNING: of concurrent takers, only the one whose delete removed the row sees it.
    const [row] = await reachable(() =>
      this.db.delete(table).where(eq(table.stateHash, stateHash)).returning(),
    );
    if (row === undefined || !isTokenPlatform(row.platform)) return null;
    return {
      ...row,
      platform: row.platform,
      loginType: readLoginType(row.loginType),
      codeVerifier: row.codeVerifier as EncryptedSecret | null,
    };
  }
}
