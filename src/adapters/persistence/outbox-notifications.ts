import type { DatabaseHandle } from './database.js';

/** The channel a trigger on `outbox_events` notifies once per inserting statement, when it commits. */
const CHANNEL = 'outbox_events';

/**
 * Calls `onCommit` whenever a transaction that wrote events commits, on this instance or any other
 * sharing the database; resolves to a function that stops listening.
 */
export async function listenForOutboxCommits(
  handle: DatabaseHandle,
  onCommit: () => void,
): Promise<() => Promise<void>> {
  if (handle.driver === 'pglite') return handle.client.listen(CHANNEL, onCommit);
  const { unlisten } = await handle.sql.listen(CHANNEL, onCommit);
  return unlisten;
}
