import type { Suppression, SuppressionList } from '../../../src/application/ports/suppression-list.js';
import type { SuppressionReason } from '../../../src/domain/outreach.js';

/** DrizzleSuppressionList in memory. */
export class InMemorySuppressionList implements SuppressionList {
  private readonly byUser = new Map<string, Suppression[]>();

  async isSuppressed(userId: string, address: string): Promise<boolean> {
    return this.of(userId).some((entry) => entry.address === address.toLowerCase());
  }

  async add(userId: string, address: string, reason: SuppressionReason, at: Date): Promise<boolean> {
    if (await this.isSuppressed(userId, address)) return false;
    this.of(userId).push({ address: address.toLowerCase(), reason, createdAt: at });
    return true;
  }

  async remove(userId: string, address: string): Promise<boolean> {
    const entries = this.of(userId);
    const index = entries.findIndex((entry) => entry.address === address.toLowerCase());
    if (index < 0) return false;
    entries.splice(index, 1);
    return true;
  }

  async list(userId: string): Promise<Suppression[]> {
    return [...this.of(userId)].sort(
      (a, b) => b.createdAt.getTime() - a.createdAt.getTime() || a.address.localeCompare(b.address),
    );
  }

  private of(userId: string): Suppression[] {
    let entries = this.byUser.get(userId);
    if (entries === undefined) {
      entries = [];
      this.byUser.set(userId, entries);
    }
    return entries;
  }
}
