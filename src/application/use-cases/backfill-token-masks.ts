import type { EncryptedSecret } from '../../domain/integration.js';
import { maskToken } from '../../domain/masking.js';
import { InvalidToken, type SecretCipher } from '../ports/secret-cipher.js';
import type { TokenMaskStore, TokenMasks, UnmaskedTokens } from '../ports/token-mask-store.js';

export interface BackfillTokenMasksDeps {
  readonly tokenMasks: TokenMaskStore;
  readonly cipher: SecretCipher;
}

export interface MaskBackfillReport {
  /** Integrations found with a token but not its mask. */
  readonly rows: number;
  /** Integrations whose masks were written. */
  readonly masked: number;
  /** Integrations holding a token no configured key opens, left without a mask. */
  readonly unreadable: number;
  /** Integrations written by the service meanwhile (which stores masks itself), left as they are. */
  readonly changed: number;
}

async function masksOf(row: UnmaskedTokens, cipher: SecretCipher): Promise<TokenMasks> {
  const mask = async (sealed: EncryptedSecret | null, unmasked: boolean) =>
    sealed === null || !unmasked ? undefined : maskToken(await cipher.open(sealed));
  const [accessTokenMask, refreshTokenMask] = await Promise.all([
    mask(row.accessToken, row.accessTokenUnmasked),
    mask(row.refreshToken, row.refreshTokenUnmasked),
  ]);
  return {
    ...(accessTokenMask === undefined ? {} : { accessTokenMask }),
    ...(refreshTokenMask === undefined ? {} : { refreshTokenMask }),
  };
}

export interface MaskBackfillOptions {
  readonly batchSize: number;
  /** Stops the backfill after the batch in hand (the process is shutting down); the next run resumes. */
  readonly signal?: AbortSignal | undefined;
}

type RowOutcome = 'masked' | 'unreadable' | 'changed';

async function backfillRow(row: UnmaskedTokens, deps: BackfillTokenMasksDeps): Promise<RowOutcome> {
  let masks: TokenMasks;
  try {
    masks = await masksOf(row, deps.cipher);
  } catch (error) {
    if (!(error instanceof InvalidToken)) throw error;
    return 'unreadable';
  }
  return (await deps.tokenMasks.writeMasks(row, masks)) ? 'masked' : 'changed';
}

/**
 * Stores the mask of every token stored without one (rows written by the earlier Python service), in
 * batches in id order, so that listing integrations never decrypts. Safe while the service runs: a mask
 * is written only beside the very token it was made from. Resumable: a row that has its masks is not read
 * again, so a rerun after a crash (or the next start) does the rest.
 */
export function backfillTokenMasks(deps: BackfillTokenMasksDeps) {
  return async ({ batchSize, signal }: MaskBackfillOptions): Promise<MaskBackfillReport> => {
    const counts = { rows: 0, masked: 0, unreadable: 0, changed: 0 };
    let after: string | null = null;
    while (signal?.aborted !== true) {
      const rows = await deps.tokenMasks.pageUnmasked(after, batchSize);
      const last = rows.at(-1);
      if (last === undefined) return counts;
      for (const outcome of await Promise.all(rows.map((row) => backfillRow(row, deps)))) {
        counts[outcome] += 1;
      }
      counts.rows += rows.length;
      after = last.id;
    }
    return counts;
  };
}
