import { and, asc, eq, gt, isNotNull, isNull, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { TokenMaskStore, TokenMasks, UnmaskedTokens } from '../../application/ports/token-mask-store.js';
import type { EncryptedSecret } from '../../domain/integration.js';
import type { Database } from './database.js';
import { reachable } from './database-errors.js';
import { socialIntegrations as table } from './schema.js';

const accessTokenUnmasked = and(isNotNull(table.accessToken), isNull(table.accessTokenMask));
const refreshTokenUnmasked = and(isNotNull(table.refreshToken), isNull(table.refreshTokenMask));

/** The column holds `value` (null included). */
const holds = (column: PgColumn, value: string | null): SQL =>
  value === null ? isNull(column) : eq(column, value);

/** The token masks of `social_integrations`, on PGlite or PostgreSQL. */
export class DrizzleTokenMaskStore implements TokenMaskStore {
  constructor(private readonly db: Database) {}

  async pageUnmasked(after: string | null, limit: number): Promise<UnmaskedTokens[]> {
    const rows = await reachable(() =>
      this.db
        .select({
          id: table.id,
          accessToken: table.accessToken,
          refreshToken: table.refreshToken,
          accessTokenUnmasked: sql<boolean>`coalesce(${accessTokenUnmasked}, false)`,
          refreshTokenUnmasked: sql<boolean>`coalesce(${refreshTokenUnmasked}, false)`,
        })
        .from(table)
        .where(
          and(
            after === null ? undefined : gt(table.id, after),
            or(accessTokenUnmasked, refreshTokenUnmasked),
          ),
        )
        .orderBy(asc(table.id))
        .limit(limit),
    );
    return rows.map((row) => ({
      ...row,
      accessToken: row.accessToken as EncryptedSecret | null,
      refreshToken: row.refreshToken as EncryptedSecret | null,
    }));
  }

  async writeMasks(row: UnmaskedTokens, masks: TokenMasks): Promise<boolean> {
    const unchanged = and(
      eq(table.id, row.id),
      holds(table.accessToken, row.accessToken),
      holds(table.refreshToken, row.refreshToken),
      masks.accessTokenMask === undefined ? undefined : isNull(table.accessTokenMask),
      masks.refreshTokenMask === undefined ? undefined : isNull(table.refreshTokenMask),
    );
    const written = await reachable(() =>
      this.db.update(table).set(masks).where(unchanged).returning({ id: table.id }),
    );
    return written.length > 0;
  }
}
