import { describe, expect, it } from 'vitest';
import { maskPassword, maskToken } from '../../src/domain/masking.js';

describe('maskToken', () => {
  it.each([
    [null, null],
    ['', '****'],
    ['short-token-15ch', '****15ch'],
    ['fifteen-chars!!', '****'],
    ['EAAGm0PX4ZCpsBAKZCZBabcd', '****abcd'],
  ])('masks %j as %j', (token, masked) => {
    expect(maskToken(token)).toBe(masked);
  });
});

describe('maskPassword', () => {
  it.each([
    [null, null],
    ['x', '********'],
    ['a much longer password than eight', '********'],
  ])('masks %j as %j', (password, masked) => {
    expect(maskPassword(password)).toBe(masked);
  });
});
