import type { EncryptedSecret } from '../../domain/integration.js';

/** A stored integration with a token whose mask was never stored (rows the earlier Python service wrote). */
export interface UnmaskedTokens {
  readonly id: string;
  readonly accessToken: EncryptedSecret | null;
  readonly refreshToken: EncryptedSecret | null;
  /** Which of the tokens lack a mask. */
  readonly accessTokenUnmasked: boolean;
  readonly refreshTokenUnmasked: boolean;
}

export interface TokenMasks {
  readonly accessTokenMask?: string;
  readonly refreshTokenMask?: string;
}

/** Where the masks of stored tokens are kept beside them. */
export interface TokenMaskStore {
  /** Up to `limit` integrations with a token but not its mask, in id order, after the id `after`. */
  pageUnmasked(after: string | null, limit: number): Promise<UnmaskedTokens[]>;
  /**
   * Stores `masks` only while the row still holds the tokens read and no mask for them, in one
   * statement; false (nothing written) when the row changed meanwhile or is gone.
   */
  writeMasks(row: UnmaskedTokens, masks: TokenMasks): Promise<boolean>;
}
