import { DatabaseUnavailable } from '../../application/ports/database-unavailable.js';

/** Rows one grouped statement writes at most. */
const MOST_ROWS = 100;

interface Waiting<T, R> {
  readonly row: T;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Group commit: the first row is written at once; rows that arrive while a write is in flight wait and
 * then go in together, as one multi-row statement (`writeMany`, which answers each row's result in the
 * rows' order) and one commit instead of one each. Every caller still waits for its own row to be
 * written, so nothing is acknowledged early. When a grouped write fails for any reason but a lost
 * database ({@link DatabaseUnavailable}, which fails the whole group at once), each of its rows is tried alone (`writeOne`), so one bad row fails only its own caller; a
 * grouped statement is atomic, so none of its rows was written.
 */
export function groupedWrites<T, R>(
  writeOne: (row: T) => Promise<R>,
  writeMany: (rows: readonly T[]) => Promise<readonly R[]>,
): (row: T) => Promise<R> {
  const queue: Waiting<T, R>[] = [];
  let writing = false;

  async function writeAlone({ row, resolve, reject }: Waiting<T, R>): Promise<void> {
    await writeOne(row).then(resolve, reject);
  }

  async function writeGroup(group: Waiting<T, R>[]): Promise<void> {
    try {
      const results = await writeMany(group.map((waiting) => waiting.row));
      for (const [index, waiting] of group.entries()) waiting.resolve(results[index] as R);
    } catch (error) {
      if (error instanceof DatabaseUnavailable) for (const waiting of group) waiting.reject(error);
      else for (const waiting of group) await writeAlone(waiting);
    }
  }

  async function drain(): Promise<void> {
    writing = true;
    while (queue.length > 0) {
      const group = queue.splice(0, MOST_ROWS);
      await (group.length === 1 && group[0] !== undefined ? writeAlone(group[0]) : writeGroup(group));
    }
    writing = false;
  }

  return (row) =>
    new Promise<R>((resolve, reject) => {
      queue.push({ row, resolve, reject });
      if (!writing) void drain();
    });
}
