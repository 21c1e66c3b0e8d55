import { describe, expect, it } from 'vitest';
import { groupedWrites } from '../../src/adapters/persistence/grouped-writes.js';
import { DatabaseUnavailable } from '../../src/application/ports/database-unavailable.js';

/** Writers that record each statement and hold it until released, like a database mid-commit. */
function recordingWriters(refuse: (row: string) => Error | null = () => null) {
  const statements: string[][] = [];
  const inFlight: (() => void)[] = [];
  // Each row's result is the row as written, in capitals: the callers must each get their own.
  const write = (rows: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      statements.push([...rows]);
      inFlight.push(() => {
        const refusal = rows.map(refuse).find((error) => error !== null);
        if (refusal) reject(refusal);
        else resolve(rows.map((row) => row.toUpperCase()));
      });
    });
  const append = groupedWrites<string, string>(async (row) => (await write([row]))[0] ?? '', write);
  const releaseAll = async () => {
    while (inFlight.length > 0) {
      inFlight.shift()?.();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  return { statements, append, releaseAll };
}

describe('groupedWrites', () => {
  it('writes a lone row at once, by itself', async () => {
    const { statements, append, releaseAll } = recordingWriters();

    const written = append('a');
    expect(statements).toEqual([['a']]);
    await releaseAll();

    await expect(written).resolves.toBe('A');
  });

  it('writes the rows that arrive during a write together, and answers each only once it is written', async () => {
    const { statements, append, releaseAll } = recordingWriters();
    const settled: string[] = [];
    const appended = ['a', 'b', 'c', 'd'].map((row) => append(row).then(() => settled.push(row)));

    await new Promise((resolve) => setImmediate(resolve));
    expect(statements).toEqual([['a']]);
    expect(settled).toEqual([]);
    await releaseAll();
    await Promise.all(appended);

    expect(statements).toEqual([['a'], ['b', 'c', 'd']]);
    expect(settled).toEqual(['a', 'b', 'c', 'd']);
  });

  it("answers each row of a group with that row's own result", async () => {
    const { append, releaseAll } = recordingWriters();

    const results = Promise.all(['a', 'b', 'c', 'd'].map(append));
    await releaseAll();

    expect(await results).toEqual(['A', 'B', 'C', 'D']);
  });

  it('writes at most 100 rows per statement', async () => {
    const { statements, append, releaseAll } = recordingWriters();
    const rows = Array.from({ length: 251 }, (_, index) => `r${index}`);

    const appended = Promise.all(rows.map(append));
    await releaseAll();
    await appended;

    expect(statements.map((statement) => statement.length)).toEqual([1, 100, 100, 50]);
  });

  it('tries each row of a refused group alone, so only the bad row fails', async () => {
    const { statements, append, releaseAll } = recordingWriters((row) =>
      row === 'bad' ? new Error('invalid byte sequence') : null,
    );

    const outcomes = Promise.allSettled(['first', 'good', 'bad', 'fine'].map(append));
    await releaseAll();

    expect((await outcomes).map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(statements).toEqual([['first'], ['good', 'bad', 'fine'], ['good'], ['bad'], ['fine']]);
  });

  it('fails the whole group at once when the database is lost', async () => {
    const { statements, append, releaseAll } = recordingWriters((row) =>
      row === 'first' ? null : new DatabaseUnavailable(),
    );

    const outcomes = Promise.allSettled(['first', 'second', 'third'].map(append));
    await releaseAll();

    expect((await outcomes).map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'rejected']);
    expect(statements).toEqual([['first'], ['second', 'third']]);
  });

  it('writes again at once after the queue ran dry', async () => {
    const { statements, append, releaseAll } = recordingWriters();
    const first = append('a');
    await releaseAll();
    await first;

    const second = append('b');
    expect(statements).toEqual([['a'], ['b']]);
    await releaseAll();
    await second;
  });
});
