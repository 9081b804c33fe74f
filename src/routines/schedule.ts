import { createTask, validate } from 'node-cron';
import { addDays, daysInMonth, instantOf, wallAt, weekdayOf, type LocalDate } from '../time/index.js';

/**
 * When something is due, as instants. `previous(now)` is the latest slot at or before
 * `now`; `next(after)` the first slot strictly after. Both undefined when there is none
 * within the search horizon.
 */
export interface Schedule {
  previous(now: Date): Date | undefined;
  next(after: Date): Date | undefined;
}

/** A routine rule from recurring-plans.md. Weekdays are 0 (Sunday) – 6. */
export type RoutineRule =
  | { every: 'day'; days: number[]; hour: number; minute: number }
  | { every: 'week'; weekday: number; hour: number; minute: number }
  | { every: 'month'; day: number | 'last'; hour: number; minute: number };

const HORIZON_DAYS = 62;

function ruleMatches(rule: RoutineRule, date: LocalDate): boolean {
  switch (rule.every) {
    case 'day':
      return rule.days.includes(weekdayOf(date));
    case 'week':
      return weekdayOf(date) === rule.weekday;
    case 'month':
      return date.day === (rule.day === 'last' ? daysInMonth(date.year, date.month) : rule.day);
  }
}

/**
 * A routine's slots: one per matching local date, at its wall-clock time in `timeZone`.
 * So a routine runs once on each DST transition day: a time that exists twice (fall back)
 * is the first of the two; a time that does not exist (spring forward) is the moment the
 * clocks jump (02:30 → 03:00).
 */
export function routineSchedule(rule: RoutineRule, timeZone: string): Schedule {
  const slotOn = (date: LocalDate): Date => instantOf({ ...date, hour: rule.hour, minute: rule.minute }, timeZone);
  return {
    previous(now) {
      const today = wallAt(now, timeZone);
      for (let back = 0; back <= HORIZON_DAYS; back += 1) {
        const date = addDays(today, -back);
        if (!ruleMatches(rule, date)) continue;
        const slot = slotOn(date);
        if (slot.getTime() <= now.getTime()) return slot;
      }
      return undefined;
    },
    next(after) {
      const today = wallAt(after, timeZone);
      for (let ahead = -1; ahead <= HORIZON_DAYS; ahead += 1) {
        const date = addDays(today, ahead);
        if (!ruleMatches(rule, date)) continue;
        const slot = slotOn(date);
        if (slot.getTime() > after.getTime()) return slot;
      }
      return undefined;
    },
  };
}

/** Every `minutes`, aligned to the epoch in UTC (so restarts do not shift the slots). */
export function everyMinutesSchedule(minutes: number): Schedule {
  const period = Math.max(1, Math.round(minutes)) * 60_000;
  return {
    previous: (now) => new Date(Math.floor(now.getTime() / period) * period),
    next: (after) => new Date((Math.floor(after.getTime() / period) + 1) * period),
  };
}

const CRON_HORIZON_MINUTES = 8 * 24 * 60;

/**
 * A five-field cron expression read in `timeZone`. node-cron's own matcher decides which
 * minutes match; we walk minutes (cached per slot) because node-cron cannot look back.
 */
export function cronSchedule(expression: string, timeZone: string): Schedule {
  if (!validate(expression)) throw new Error(`not a valid cron expression: ${expression}`);
  const matcher = createTask(expression, () => undefined, { timezone: timeZone, name: `matcher ${expression}` });
  let cache: { previous: Date; next: Date | undefined } | undefined;
  const walk = (from: number, step: number): Date | undefined => {
    for (let i = 0, t = from; i <= CRON_HORIZON_MINUTES; i += 1, t += step * 60_000) {
      if (matcher.match(new Date(t))) return new Date(t);
    }
    return undefined;
  };
  const schedule: Schedule = {
    previous(now) {
      if (cache && cache.previous.getTime() <= now.getTime() && (cache.next === undefined || now.getTime() < cache.next.getTime())) return cache.previous;
      const minute = Math.floor(now.getTime() / 60_000) * 60_000;
      const previous = walk(minute, -1);
      if (previous) cache = { previous, next: walk(previous.getTime() + 60_000, 1) };
      return previous;
    },
    next(after) {
      const minute = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000;
      return walk(minute, 1);
    },
  };
  return schedule;
}
