import type { Clock } from '../ports/clock.js';
import type { EventLog, EventPage } from '../ports/event-outbox.js';

export interface ListEventsDeps {
  readonly eventLog: EventLog;
  readonly clock: Clock;
  /** How long events stay readable. */
  readonly retentionDays: number;
}

const DAY_MS = 86_400_000;

/** Pages through the user's own events, oldest first, within the retention period. */
export function listEvents({ eventLog, clock, retentionDays }: ListEventsDeps) {
  return (userId: string, limit: number, after: number | null): Promise<EventPage> =>
    eventLog.list(userId, { after, limit, since: new Date(clock.now().getTime() - retentionDays * DAY_MS) });
}
