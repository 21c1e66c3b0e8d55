import type { DailySendCounter } from '../../../src/application/ports/daily-send-counter.js';

/** DrizzleDailySendCounter in memory. */
export class InMemoryDailySendCounter implements DailySendCounter {
  private readonly counts = new Map<string, number>();

  async reserve(userId: string, day: string, limit: number | null): Promise<boolean> {
    const sent = await this.count(userId, day);
    if (limit !== null && sent >= limit) return false;
    this.counts.set(JSON.stringify([userId, day]), sent + 1);
    return true;
  }

  async release(userId: string, day: string): Promise<void> {
    this.counts.set(JSON.stringify([userId, day]), Math.max((await this.count(userId, day)) - 1, 0));
  }

  async count(userId: string, day: string): Promise<number> {
    return this.counts.get(JSON.stringify([userId, day])) ?? 0;
  }
}
