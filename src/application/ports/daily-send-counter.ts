/** Email sends per user and UTC day, counted in the database so a cap holds across instances. */
export interface DailySendCounter {
  /**
   * Counts one send for `day` unless `limit` sends were already counted (null: no limit); false, and
   * nothing counted, at the limit. Concurrent reservations never pass the limit together. The counts of
   * days before `day` may be forgotten from then on.
   */
  reserve(userId: string, day: string, limit: number | null): Promise<boolean>;
  /** Gives back a reservation whose send did not go out. */
  release(userId: string, day: string): Promise<void>;
  count(userId: string, day: string): Promise<number>;
}
