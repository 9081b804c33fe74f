import { describe, expect, it } from 'vitest';
import { nextOccurrence, parseReminder } from '../../src/reminders/reminder-time.js';
import { addDays, instantOf, wallAt } from '../../src/time/index.js';

/** Dates are computed from the real date (next year's transitions), the clock is injected. */
const year = new Date().getUTCFullYear() + 1;

function nthSunday(month: number, n: number): number {
  const first = new Date(Date.UTC(year, month - 1, 1)).getUTCDay();
  return 1 + ((7 - first) % 7) + (n - 1) * 7;
}
function lastSunday(month: number): number {
  const last = new Date(Date.UTC(year, month, 0));
  return last.getUTCDate() - last.getUTCDay();
}

const zones = [
  { zone: 'Europe/Berlin', springForward: { year, month: 3, day: lastSunday(3) }, gapHour: 2 },
  { zone: 'America/New_York', springForward: { year, month: 3, day: nthSunday(3, 2) }, gapHour: 2 },
];

describe.each(zones)('parseReminder in $zone', ({ zone, springForward, gapHour }) => {
  const ordinary = instantOf({ year, month: 6, day: 10, hour: 14, minute: 5 }, zone);

  it('reads "tomorrow at 9 call the dentist" as 09:00 tomorrow in the owner zone', () => {
    const parsed = parseReminder('tomorrow at 9 call the dentist', ordinary, zone);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.reminder.what).toBe('call the dentist');
    expect(parsed.reminder.repeat).toBeNull();
    expect(parsed.reminder.due.getTime()).toBe(instantOf({ ...addDays(wallAt(ordinary, zone), 1), hour: 9, minute: 0 }, zone).getTime());
  });

  it('reads "in 20 minutes stretch" as exactly 20 minutes from now', () => {
    const parsed = parseReminder('in 20 minutes stretch', ordinary, zone);
    expect(parsed.ok && parsed.reminder.due.getTime() - ordinary.getTime()).toBe(20 * 60_000);
    expect(parsed.ok && parsed.reminder.what).toBe('stretch');
  });

  it('reads "every friday at 17:00 log expenses" as a weekly rule whose first time is the next Friday 17:00', () => {
    const parsed = parseReminder('every friday at 17:00 log expenses', ordinary, zone);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.reminder.what).toBe('log expenses');
    expect(parsed.reminder.repeat).toEqual({ every: 'week', weekdays: [5], hour: 17, minute: 0 });
    const wall = wallAt(parsed.reminder.due, zone);
    expect([wall.weekday, wall.hour, wall.minute]).toEqual([5, 17, 0]);
    expect(parsed.reminder.due.getTime()).toBeGreaterThan(ordinary.getTime());
    expect(parsed.reminder.due.getTime() - ordinary.getTime()).toBeLessThanOrEqual(7 * 86_400_000);
  });

  it('gives the next day for a time already past today', () => {
    const parsed = parseReminder('at 9 water the plants', ordinary, zone);
    expect(parsed.ok && wallAt(parsed.reminder.due, zone)).toMatchObject({ ...addDays(wallAt(ordinary, zone), 1), hour: 9, minute: 0 });
  });

  it('refuses a past time and text without a time, with a clear error', () => {
    const past = parseReminder('yesterday at 9 call mum', ordinary, zone);
    expect(past).toMatchObject({ ok: false });
    expect(!past.ok && past.error).toMatch(/in the past/);
    const none = parseReminder('call the dentist', ordinary, zone);
    expect(!none.ok && none.error).toMatch(/could not find a time/);
    expect(parseReminder('every blursday at 9 x', ordinary, zone)).toMatchObject({ ok: false });
  });

  it('on the spring-forward day: "tomorrow at 9" from the day before is 09:00 on the new offset', () => {
    const before = addDays(springForward, -1);
    const now = instantOf({ ...before, hour: 20, minute: 0 }, zone);
    const parsed = parseReminder('tomorrow at 9 call the dentist', now, zone);
    expect(parsed.ok && wallAt(parsed.reminder.due, zone)).toMatchObject({ ...springForward, hour: 9, minute: 0 });
    // 9 local on that day is one hour less after "now" than the naive 13 h.
    expect(parsed.ok && parsed.reminder.due.getTime() - now.getTime()).toBe(12 * 3_600_000);
  });

  it('on the spring-forward day: "in 20 minutes" across the jump is 20 real minutes', () => {
    const now = instantOf({ ...springForward, hour: gapHour - 1, minute: 50 }, zone);
    const parsed = parseReminder('in 20 minutes stretch', now, zone);
    expect(parsed.ok && parsed.reminder.due.getTime() - now.getTime()).toBe(20 * 60_000);
    expect(parsed.ok && wallAt(parsed.reminder.due, zone)).toMatchObject({ hour: gapHour + 1, minute: 10 });
  });

  it('a daily 02:30 reminder fires once at 03:00 on the spring-forward day', () => {
    const now = instantOf({ ...addDays(springForward, -1), hour: 12, minute: 0 }, zone);
    const rule = { every: 'day' as const, hour: gapHour, minute: 30 };
    const first = nextOccurrence(rule, now, zone);
    expect(wallAt(first, zone)).toMatchObject({ ...springForward, hour: gapHour + 1, minute: 0 });
    const second = nextOccurrence(rule, first, zone);
    expect(wallAt(second, zone)).toMatchObject({ ...addDays(springForward, 1), hour: gapHour, minute: 30 });
  });
});
