import type { SealedRow, SealedSecretStore } from '../ports/sealed-secret-store.js';
import { InvalidToken, type SecretCipher } from '../ports/secret-cipher.js';

export interface CheckEncryptionKeysDeps {
  readonly sealedSecrets: SealedSecretStore;
  readonly cipher: SecretCipher;
}

export interface KeyCheck {
  readonly sampledRows: number;
  /** Sampled rows holding a secret that no configured key opens. */
  readonly unreadableRows: number;
  /** Whether the sample shows secrets sealed with a key that is not configured. */
  readonly keyMissing: boolean;
}

async function readable(row: SealedRow, cipher: SecretCipher): Promise<boolean> {
  try {
    await Promise.all(Object.values(row.secrets).map((sealed) => cipher.open(sealed)));
    return true;
  } catch (error) {
    if (error instanceof InvalidToken) return false;
    throw error;
  }
}

/**
 * Samples a few stored rows per table (cheap at any size) and tries to open their secrets, so a
 * missing or wrong key stops start-up instead of failing requests later. One unreadable row among
 * readable ones is taken for a damaged row, which shows as needing reconnection, not for a missing key.
 */
export function checkEncryptionKeys({ sealedSecrets, cipher }: CheckEncryptionKeysDeps) {
  return async (rowsPerTable: number): Promise<KeyCheck> => {
    const rows = await sealedSecrets.sample(rowsPerTable);
    const opened = await Promise.all(rows.map((row) => readable(row, cipher)));
    const unreadableRows = opened.filter((ok) => !ok).length;
    return {
      sampledRows: rows.length,
      unreadableRows,
      keyMissing: unreadableRows >= 2 || (unreadableRows > 0 && unreadableRows === rows.length),
    };
  };
}
