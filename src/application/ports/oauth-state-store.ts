import type { EncryptedSecret } from '../../domain/integration.js';
import type { LoginType } from '../../domain/login.js';
import type { TokenPlatform } from '../../domain/platform.js';

/** A started sign-in, stored under the SHA-256 of its state; the state itself is never stored. */
export interface OAuthTransaction {
  readonly stateHash: string;
  readonly userId: string;
  readonly platform: TokenPlatform;
  /** Which of the platform's logins was started; null for platforms with no choice (and older rows). */
  readonly loginType: LoginType | null;
  readonly redirectUri: string;
  /** The sealed PKCE verifier, or null for platforms without PKCE. */
  readonly codeVerifier: EncryptedSecret | null;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

/** Server-side OAuth state: each transaction can be taken out exactly once. */
export interface OAuthStateStore {
  /** Stores a transaction, and drops those already expired at its `createdAt`. */
  save(transaction: OAuthTransaction): Promise<void>;
  /**
   * Removes and returns the transaction in one atomic step, so of any number of concurrent calls with the
   * same hash at most one gets it. Null when unknown or already taken. Expiry is the caller's to check.
   */
  take(stateHash: string): Promise<OAuthTransaction | null>;
}
