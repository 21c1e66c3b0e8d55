import { InvalidToken, type SecretCipher } from './ports/secret-cipher.js';

const PURPOSE = 'unsubscribe';

export interface UnsubscribeGrant {
  readonly userId: string;
  /** Lower-cased. */
  readonly address: string;
}

/**
 * An unguessable token bound to one user and one recipient: the pair sealed with the service's key, so
 * it needs no storage and cannot be forged or altered (a changed token no longer opens).
 */
export function unsubscribeToken(cipher: SecretCipher, grant: UnsubscribeGrant): Promise<string> {
  return cipher.seal(JSON.stringify({ p: PURPOSE, u: grant.userId, a: grant.address }));
}

/** The grant a token carries, or null for a token this service did not make (or no configured key opens). */
export async function readUnsubscribeToken(
  cipher: SecretCipher,
  token: string,
): Promise<UnsubscribeGrant | null> {
  let opened: unknown;
  try {
    opened = JSON.parse(await cipher.open(token as Parameters<SecretCipher['open']>[0]));
  } catch (error) {
    if (error instanceof InvalidToken || error instanceof SyntaxError) return null;
    throw error;
  }
  const { p, u, a } = (opened ?? {}) as Record<string, unknown>;
  return p === PURPOSE && typeof u === 'string' && typeof a === 'string' ? { userId: u, address: a } : null;
}
