/**
 * Counts requests per key in fixed time windows. An in-process store limits one instance; a shared store
 * (the database, or a Workers binding) makes the limit hold across every instance.
 */
export interface RateLimitStore {
  /** Counts one request for `key` in the window starting at `windowStart`; returns that window's count so far, this one included. */
  hit(key: string, windowStart: Date): Promise<number>;
}
