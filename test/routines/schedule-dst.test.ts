import { describe, expect, it } from 'vitest';
import { cronSchedule, everyMinutesSchedule, routineSchedule, type RoutineRule } from '../../src/routines/schedule.js';
import { wallAt } from '../../src/time/index.js';

const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6];

function slotsBetween(rule: RoutineRule, timeZone: string, from: string, to: string): Date[] {
  const schedule = routineSchedule(rule, timeZone);
  const slots: Date[] = [];
  let cursor = schedule.next(new Date(from));
  while (cursor && cursor.getTime() < new Date(to).getTime()) {
    slots.push(cursor);
    cursor = schedule.next(cursor);
  }
  return slots;
}

function local(date: Date, timeZone: string): string {
  const wall = wallAt(date, timeZone);
  return `${wall.month}-${wall.day} ${String(wall.hour).padStart(2, '0')}:${String(wall.minute).padStart(2, '0')}`;
}

describe.each([
  // Each range is three whole local days around the transition.
  { zone: 'Europe/Berlin', spring: ['2026-03-27T23:00:00Z', '2026-03-30T22:00:00Z'], autumn: ['2026-10-23T22:00:00Z', '2026-10-26T23:00:00Z'], springDay: '3-29', autumnDay: '10-25', gapUtc: '2026-03-29T01:00:00.000Z', twiceHour: 2 },
  { zone: 'America/New_York', spring: ['2026-03-07T05:00:00Z', '2026-03-10T04:00:00Z'], autumn: ['2026-10-31T04:00:00Z', '2026-11-03T05:00:00Z'], springDay: '3-8', autumnDay: '11-1', gapUtc: '2026-03-08T07:00:00.000Z', twiceHour: 1 },
])('routine slots across DST in $zone', ({ zone, spring, autumn, springDay, autumnDay, gapUtc, twiceHour }) => {
  it('07:30 runs exactly once on each transition day, at 07:30 local', () => {
    for (const [from, to] of [spring, autumn] as const) {
      const slots = slotsBetween({ every: 'day', days: EVERY_DAY, hour: 7, minute: 30 }, zone, from as string, to as string);
      expect(slots).toHaveLength(3);
      expect(new Set(slots.map((slot) => local(slot, zone).slice(-5)))).toEqual(new Set(['07:30']));
    }
  });

  it('02:30 on the spring-forward day runs once, at 03:00 (the moment the clocks jump)', () => {
    const slots = slotsBetween({ every: 'day', days: EVERY_DAY, hour: 2, minute: 30 }, zone, spring[0] as string, spring[1] as string);
    expect(slots).toHaveLength(3);
    const transition = slots.find((slot) => local(slot, zone).startsWith(springDay));
    expect(transition?.toISOString()).toBe(gapUtc);
    expect(local(transition ?? new Date(0), zone)).toBe(`${springDay} 03:00`);
  });

  it('a time that happens twice on the fall-back day runs once, the first time', () => {
    const slots = slotsBetween({ every: 'day', days: EVERY_DAY, hour: twiceHour, minute: 30 }, zone, autumn[0] as string, autumn[1] as string);
    expect(slots).toHaveLength(3);
    const day = slots.filter((slot) => local(slot, zone).startsWith(autumnDay));
    expect(day).toHaveLength(1);
    // The first 01:30 is one hour before the second one.
    const second = new Date((day[0] ?? new Date(0)).getTime() + 3_600_000);
    expect(local(second, zone)).toBe(`${autumnDay} 0${twiceHour}:30`);
  });

  it('previous() and next() agree: previous(next(t)) is next(t)', () => {
    const schedule = routineSchedule({ every: 'week', weekday: 0, hour: 10, minute: 0 }, zone);
    let cursor = new Date(spring[0] as string);
    for (let i = 0; i < 40; i += 1) {
      const next = schedule.next(cursor);
      expect(next).toBeDefined();
      if (!next) return;
      expect(schedule.previous(next)?.getTime()).toBe(next.getTime());
      expect(schedule.previous(new Date(next.getTime() - 1))?.getTime()).toBeLessThan(next.getTime());
      cursor = next;
    }
  });
});

describe('other schedules', () => {
  it('month day "last" follows the month length', () => {
    const slots = slotsBetween({ every: 'month', day: 'last', hour: 10, minute: 0 }, 'UTC', '2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z');
    expect(slots.map((slot) => slot.toISOString().slice(0, 10))).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
  });

  it('every N minutes is aligned to the clock, not to the start', () => {
    const schedule = everyMinutesSchedule(15);
    expect(schedule.previous(new Date('2026-06-01T10:22:13Z'))?.toISOString()).toBe('2026-06-01T10:15:00.000Z');
    expect(schedule.next(new Date('2026-06-01T10:15:00Z'))?.toISOString()).toBe('2026-06-01T10:30:00.000Z');
  });

  it('cron is read in the time zone', () => {
    const schedule = cronSchedule('0 3 * * *', 'Europe/Berlin');
    expect(schedule.previous(new Date('2026-06-01T10:00:00Z'))?.toISOString()).toBe('2026-06-01T01:00:00.000Z');
    expect(schedule.next(new Date('2026-06-01T10:00:00Z'))?.toISOString()).toBe('2026-06-02T01:00:00.000Z');
    expect(() => cronSchedule('not cron', 'UTC')).toThrow('not a valid cron expression');
  });
});
