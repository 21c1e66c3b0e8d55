import type { RateLimitStore } from '../../application/ports/rate-limit-store.js';

/** Counts in this process: right for one instance, and it forgets every count on restart. */
export class InMemoryRateLimitStore implements RateLimitStore {
  private readonly counts = new Map<string, { windowStart: number; hits: number }>();
  private newestWindow = 0;

  async hit(key: string, windowStart: Date): Promise<number> {
    const start = windowStart.getTime();
    if (start > this.newestWindow) {
      // Each new window drops the keys that were idle through the last one, so memory stays bounded.
      this.newestWindow = start;
      for (const [staleKey, entry] of this.counts)
        if (entry.windowStart < start) this.counts.delete(staleKey);
    }
    const entry = this.counts.get(key);
    const hits = entry !== undefined && entry.windowStart >= start ? entry.hits + 1 : 1;
    this.counts.set(key, { windowStart: Math.max(start, entry?.windowStart ?? 0), hits });
    return hits;
  }
}
