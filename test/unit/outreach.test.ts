import { describe, expect, it } from 'vitest';
import {
  decideWindow,
  rememberedUtcDay,
  secondsUntilNextUtcDay,
  utcDay,
  windowFor,
} from '../../src/domain/outreach.js';

const HOUR = 3_600_000;
const NOW = new Date('2026-03-10T12:00:00.000Z');
const ago = (hours: number) => new Date(NOW.getTime() - hours * HOUR);
const record = (
  lastInbound: number | null,
  closed: number | null = null,
  humanAgentClosed: number | null = null,
) => ({
  lastInboundAt: lastInbound === null ? null : ago(lastInbound),
  closedAt: closed === null ? null : ago(closed),
  humanAgentClosedAt: humanAgentClosed === null ? null : ago(humanAgentClosed),
});

describe('decideWindow', () => {
  it('is unknown until a message from the person is recorded', () => {
    expect(decideWindow('facebook', null, NOW)).toEqual({
      state: 'unknown',
      humanAgentState: 'unknown',
      closesAt: null,
      humanAgentUntil: null,
    });
  });

  it('is open for 24 hours after their last message, and 7 days for HUMAN_AGENT', () => {
    expect(decideWindow('instagram', record(2), NOW)).toEqual({
      state: 'open',
      humanAgentState: 'open',
      closesAt: new Date(ago(2).getTime() + 24 * HOUR),
      humanAgentUntil: new Date(ago(2).getTime() + 7 * 24 * HOUR),
    });
    const dayOld = decideWindow('facebook', record(30), NOW);
    expect([dayOld.state, dayOld.humanAgentState]).toEqual(['closed', 'open']);
    const weekOld = decideWindow('facebook', record(7 * 24 + 1), NOW);
    expect([weekOld.state, weekOld.humanAgentState]).toEqual(['closed', 'closed']);
  });

  it('is closed after Meta refused a reply, until the person writes again', () => {
    const refused = decideWindow('facebook', record(null, 1), NOW);
    expect([refused.state, refused.humanAgentState]).toEqual(['closed', 'unknown']);
    const wroteAgain = decideWindow('facebook', record(0.5, 1, 1), NOW);
    expect([wroteAgain.state, wroteAgain.humanAgentState]).toEqual(['open', 'open']);
    const humanAgentRefused = decideWindow('facebook', record(30, null, 1), NOW);
    expect([humanAgentRefused.state, humanAgentRefused.humanAgentState]).toEqual(['closed', 'closed']);
  });

  it('picks the state a tag decides by', () => {
    const window = decideWindow('facebook', record(30), NOW);
    expect(windowFor(window, null)).toBe('closed');
    expect(windowFor(window, 'HUMAN_AGENT')).toBe('open');
  });
});

describe('daily limits', () => {
  it('count per UTC day and wait until 00:00 UTC', () => {
    expect(utcDay(new Date('2026-03-10T23:59:59.000Z'))).toBe('2026-03-10');
    expect(secondsUntilNextUtcDay(new Date('2026-03-10T23:59:00.000Z'))).toBe(60);
    expect(secondsUntilNextUtcDay(new Date('2026-03-10T00:00:00.000Z'))).toBe(86_400);
    expect(secondsUntilNextUtcDay(new Date('2026-03-10T23:59:59.900Z'))).toBe(1);
  });

  it('name the same day when remembered, forwards, backwards and before 1970', () => {
    const today = rememberedUtcDay();
    for (const at of [
      '2026-03-10T12:00:00.000Z',
      '2026-03-10T00:00:00.000Z',
      '2026-03-10T23:59:59.999Z',
      '2026-03-11T00:00:00.000Z',
      '2026-03-10T23:59:59.999Z',
      '2026-02-28T08:00:00.000Z',
      '1969-12-31T23:59:59.999Z',
      '1970-01-01T00:00:00.000Z',
    ]) {
      expect(today(new Date(at))).toBe(utcDay(new Date(at)));
    }
  });
});
