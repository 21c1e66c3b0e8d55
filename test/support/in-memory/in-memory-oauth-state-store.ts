import type { OAuthStateStore, OAuthTransaction } from '../../../src/application/ports/oauth-state-store.js';

/** DrizzleOAuthStateStore's take-once transactions, in memory. */
export class InMemoryOAuthStateStore implements OAuthStateStore {
  readonly byStateHash = new Map<string, OAuthTransaction>();

  async save(transaction: OAuthTransaction): Promise<void> {
    for (const [hash, stored] of this.byStateHash)
      if (stored.expiresAt.getTime() <= transaction.createdAt.getTime()) this.byStateHash.delete(hash);
    this.byStateHash.set(transaction.stateHash, structuredClone(transaction));
  }

  async take(stateHash: string): Promise<OAuthTransaction | null> {
    const stored = this.byStateHash.get(stateHash);
    this.byStateHash.delete(stateHash);
    return stored ?? null;
  }
}
