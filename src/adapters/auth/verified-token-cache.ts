/** A token's verified subject and when it stops being valid (its `exp`), in milliseconds. */
export interface VerifiedToken {
  readonly subject: string;
  readonly expiresAtMs: number;
}

export interface VerifiedTokenCacheLimits {
  /**
   * The longest a verification is trusted before the token is checked again (key rotation takes this long);
   * each token is trusted for a random time between half of it and all of it.
   */
  readonly maxAgeMs: number;
  readonly maxEntries: number;
}

export const VERIFIED_TOKEN_CACHE_LIMITS: VerifiedTokenCacheLimits = { maxAgeMs: 60_000, maxEntries: 10_000 };

/**
 * Remembers tokens that passed `verify`, keyed by the whole token, until their `exp` and for at most
 * `maxAgeMs`: a frontend sends the same bearer token on every request, and checking its signature again
 * each time was the largest single cost of a read. A token differing in any character is verified afresh,
 * refusals are never remembered, and the oldest entry makes room when `maxEntries` is reached.
 *
 * Each token's trust lasts a random share (`random`, in [0, 1)) of the upper half of `maxAgeMs`: tokens
 * first seen together, as every active user's are after a start, would otherwise all be checked again in
 * the same instant, a burst of signature checks each `maxAgeMs` that delays the requests it lands among.
 */
export function rememberVerifiedTokens(
  verify: (token: string) => Promise<VerifiedToken | null>,
  now: () => number,
  { maxAgeMs, maxEntries }: VerifiedTokenCacheLimits = VERIFIED_TOKEN_CACHE_LIMITS,
  random: () => number = Math.random,
): (token: string) => Promise<string | null> {
  const remembered = new Map<string, { readonly subject: string; readonly untilMs: number }>();
  return async (token) => {
    const entry = remembered.get(token);
    if (entry !== undefined) {
      if (now() < entry.untilMs) return entry.subject;
      remembered.delete(token);
    }
    const verified = await verify(token);
    if (verified === null) return null;
    if (remembered.size >= maxEntries) {
      const oldest = remembered.keys().next();
      if (!oldest.done) remembered.delete(oldest.value);
    }
    remembered.set(token, {
      subject: verified.subject,
      untilMs: Math.min(verified.expiresAtMs, now() + maxAgeMs * (1 - random() / 2)),
    });
    return verified.subject;
  };
}
