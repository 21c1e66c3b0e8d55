import { describe, expect, it } from 'vitest';
import { defaultPoolSize } from '../../src/adapters/persistence/postgres.js';

describe('defaultPoolSize', () => {
  it('gives two connections per core, and at least 4', () => {
    expect([1, 2, 3, 8].map((cores) => defaultPoolSize(cores))).toEqual([4, 4, 6, 16]);
  });
});
