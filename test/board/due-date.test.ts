import { describe, expect, it } from 'vitest';
import { addLocalDays, formatDue, parseDue, snoozeDue, zonedToUtc } from '../../src/board/index.js';

function due(text: string, now: string, zone: string): string {
  const result = parseDue(text, new Date(now), zone);
  if (!result.ok) throw new Error(result.error);
  return result.due.toISOString();
}

describe('parseDue', () => {
  // Sunday 22 Nov 2026, 10:00 in Berlin (UTC+1 in winter).
  const now = '2026-11-22T09:00:00Z';

  it('reads ISO dates and date-times as wall time in the owner zone, and honours explicit offsets', () => {
    expect(due('2026-11-27', now, 'Europe/Berlin')).toBe('2026-11-27T16:00:00.000Z');
    expect(due('2026-11-27T09:30', now, 'Europe/Berlin')).toBe('2026-11-27T08:30:00.000Z');
    expect(due('2026-11-27T09:30Z', now, 'Europe/Berlin')).toBe('2026-11-27T09:30:00.000Z');
    expect(due('2026-11-27T09:30:00+05:00', now, 'Europe/Berlin')).toBe('2026-11-27T04:30:00.000Z');
    expect(due('2026-07-01T09:00', now, 'Europe/Berlin')).toBe('2026-07-01T07:00:00.000Z');
  });

  it('reads simple words relative to now', () => {
    expect(due('tomorrow 9am', now, 'Europe/Berlin')).toBe('2026-11-23T08:00:00.000Z');
    expect(due('Friday', now, 'Europe/Berlin')).toBe('2026-11-27T16:00:00.000Z');
    expect(due('next fri at 5pm', now, 'Europe/Berlin')).toBe('2026-11-27T16:00:00.000Z');
    // Today is Sunday: "sunday" means a week from now, never today.
    expect(due('sunday', now, 'Europe/Berlin')).toBe('2026-11-29T16:00:00.000Z');
    expect(due('today 18:30', now, 'Europe/Berlin')).toBe('2026-11-22T17:30:00.000Z');
    expect(due('in 3 days', now, 'Europe/Berlin')).toBe('2026-11-25T16:00:00.000Z');
    expect(due('in 2 weeks', now, 'Europe/Berlin')).toBe('2026-12-06T16:00:00.000Z');
    expect(due('noon', now, 'Europe/Berlin')).toBe('2026-11-22T11:00:00.000Z');
    expect(due('3 jan', now, 'Europe/Berlin')).toBe('2027-01-03T16:00:00.000Z');
    expect(due('Dec 24 12pm', now, 'Europe/Berlin')).toBe('2026-12-24T11:00:00.000Z');
    expect(due('2099-03-01 9am', now, 'Europe/Berlin')).toBe('2099-03-01T08:00:00.000Z');
  });

  it('uses the owner day, not the UTC day, near midnight', () => {
    // 23:30 UTC on Sunday is already Monday 08:30 in Tokyo: tomorrow is Tuesday there.
    expect(due('tomorrow 9am', '2026-11-22T23:30:00Z', 'Asia/Tokyo')).toBe('2026-11-24T00:00:00.000Z');
    // And still Sunday afternoon in Los Angeles.
    expect(due('tomorrow 9am', '2026-11-22T23:30:00Z', 'America/Los_Angeles')).toBe('2026-11-23T17:00:00.000Z');
  });

  it('rejects what it cannot read, with a reason', () => {
    for (const text of ['someday', '2026-02-30', '25:00', 'friday 13pm', '']) {
      const result = parseDue(text, new Date(now), 'UTC');
      expect(result.ok, text).toBe(false);
    }
  });
});

describe('time zones and DST', () => {
  it('maps wall times across the spring-forward gap and the fall-back overlap', () => {
    // Berlin springs forward on 29 Mar 2026: 02:30 does not exist and moves to 03:30 (01:30Z).
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString()).toBe('2026-03-29T01:30:00.000Z');
    expect(zonedToUtc({ year: 2026, month: 3, day: 29, hour: 9, minute: 0 }, 'Europe/Berlin').toISOString()).toBe('2026-03-29T07:00:00.000Z');
    // Berlin falls back on 25 Oct 2026: 02:30 happens twice; the earlier (CEST) one is used.
    expect(zonedToUtc({ year: 2026, month: 10, day: 25, hour: 2, minute: 30 }, 'Europe/Berlin').toISOString()).toBe('2026-10-25T00:30:00.000Z');
    // New York springs forward on 8 Mar 2026.
    expect(zonedToUtc({ year: 2026, month: 3, day: 8, hour: 9, minute: 0 }, 'America/New_York').toISOString()).toBe('2026-03-08T13:00:00.000Z');
    expect(zonedToUtc({ year: 2026, month: 3, day: 7, hour: 9, minute: 0 }, 'America/New_York').toISOString()).toBe('2026-03-07T14:00:00.000Z');
  });

  it('"friday 9am" across a DST change lands on 9am local time', () => {
    // Wednesday 25 Mar 2026 in Berlin (CET); Friday 3 Apr is CEST.
    expect(due('next friday 9am', '2026-03-25T12:00:00Z', 'Europe/Berlin')).toBe('2026-03-27T08:00:00.000Z');
    expect(due('in 1 week 9am', '2026-03-27T12:00:00Z', 'Europe/Berlin')).toBe('2026-04-03T07:00:00.000Z');
  });

  it('snoozing by a day or a week keeps the local time across DST', () => {
    const before = new Date('2026-03-28T08:00:00Z'); // Sat 09:00 CET
    expect(addLocalDays(before, 1, 'Europe/Berlin').toISOString()).toBe('2026-03-29T07:00:00.000Z'); // Sun 09:00 CEST
    expect(snoozeDue(before, 7, new Date('2026-03-20T00:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-04-04T07:00:00.000Z');
    // A task without a due date snoozes to the default time that many days from now.
    expect(snoozeDue(null, 1, new Date('2026-11-22T09:00:00Z'), 'Europe/Berlin').toISOString()).toBe('2026-11-23T16:00:00.000Z');
  });

  it('formats due dates in the owner zone', () => {
    expect(formatDue(new Date('2026-11-27T16:00:00Z'), new Date('2026-11-22T09:00:00Z'), 'Europe/Berlin')).toBe('Fri 27 Nov 17:00');
    expect(formatDue(new Date('2027-01-03T16:00:00Z'), new Date('2026-11-22T09:00:00Z'), 'Europe/Berlin')).toBe('Sun 3 Jan 2027 17:00');
  });
});
