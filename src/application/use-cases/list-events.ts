import type { Clock } from '../ports/clock.js';
import type { EventLog, EventPage } from '../ports/event-outbox.js';

export interface ListEventsDeps {
  readonly eventLog: EventLog;
  readonly clock: Clock;
  /** How long events stay readable. */
  readonly retentionDays: number;
}

const DAY_MS = 86_400_000;

/** The oldest moment an event may have been written at and still be kept. */
export const retentionStart = (clock: Clock, retentionDays: number) =>
  new Date(clock.now().getTime() - retentionDays * DAY_MS);

/** Pages through the user's own events, oldest first, within the retention period. */
export function listEvents({ eventLog, clock, retentionDays }: ListEventsDeps) {
  return (userId: string, limit: number, after: number | null): Promise<EventPage> =>
    eventLog.list(userId, { after, limit, since: retentionStart(clock, retentionDays) });
}
