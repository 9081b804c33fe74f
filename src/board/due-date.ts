import { addLocalDays, wallTimeAt, zonedToUtc, type WallTime } from './zoned-time.js';

/** The local time a due date gets when the owner names only a day. */
export const DEFAULT_DUE_HOUR = 17;

export type DueParse = { ok: true; due: Date } | { ok: false; error: string };

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Reads a due date the way the owner (or the small local model) says it, relative to
 * `now` in `timeZone`, and returns the UTC instant. Accepted: ISO (`2026-11-27`,
 * `2026-11-27T09:00`, with `Z` or an offset), `today`, `tonight`, `tomorrow`, a weekday
 * (`friday`, `next friday`, `fri`), `in 3 days` / `in 2 weeks`, `27 nov` / `nov 27`, `2026-11-27`,
 * each optionally followed by a time (`9am`, `9:30 pm`, `17:00`, `at 5pm`, `noon`).
 * A bare weekday means the next one after today. Without a time the due time is 17:00 local.
 */
export function parseDue(text: string, now: Date, timeZone: string): DueParse {
  const input = text.trim().toLowerCase().replace(/\s+/g, ' ').replace(/,/g, '');
  if (input === '') return { ok: false, error: 'empty due date' };

  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(z|[+-]\d{2}:?\d{2})?)?$/.exec(input);
  if (iso) {
    const [, y, mo, d, h, mi, s, zone] = iso;
    if (zone) {
      const parsed = new Date(text.trim().replace(' ', 'T').toUpperCase());
      return Number.isNaN(parsed.getTime()) ? { ok: false, error: `not a valid date: ${text}` } : { ok: true, due: parsed };
    }
    const wall = { year: Number(y), month: Number(mo), day: Number(d), hour: h ? Number(h) : DEFAULT_DUE_HOUR, minute: mi ? Number(mi) : 0 };
    if (s !== undefined && Number(s) > 59) return { ok: false, error: `not a valid time: ${text}` };
    return checked(wall, timeZone, text);
  }

  const { rest, time } = splitTime(input);
  if (time === 'invalid') return { ok: false, error: `not a time I understand in "${text}"` };
  const today = wallTimeAt(now, timeZone);
  const day = parseDay(rest, today);
  if (!day) return { ok: false, error: `not a date I understand: "${text}" (try "friday 9am", "tomorrow", "in 3 days" or 2026-11-27)` };
  const hour = time?.hour ?? (rest === 'tonight' ? 20 : DEFAULT_DUE_HOUR);
  return checked({ ...day, hour, minute: time?.minute ?? 0 }, timeZone, text);
}

function checked(wall: WallTime, timeZone: string, text: string): DueParse {
  const probe = new Date(Date.UTC(wall.year, wall.month - 1, wall.day));
  if (wall.month < 1 || wall.month > 12 || probe.getUTCDate() !== wall.day || wall.hour > 23 || wall.minute > 59) {
    return { ok: false, error: `not a valid date: ${text}` };
  }
  return { ok: true, due: zonedToUtc(wall, timeZone) };
}

function splitTime(input: string): { rest: string; time: { hour: number; minute: number } | undefined | 'invalid' } {
  const match = /(?:^|\s)(?:at\s+)?(noon|midnight|(\d{1,2})(?::(\d{2}))?\s*(am|pm)?)$/.exec(input);
  if (!match || match.index === undefined) return { rest: input, time: undefined };
  const [whole, word, h, m, meridiem] = match;
  const rest = input.slice(0, match.index).trim();
  if (word === 'noon') return { rest, time: { hour: 12, minute: 0 } };
  if (word === 'midnight') return { rest, time: { hour: 0, minute: 0 } };
  // A bare number ("in 3" or "27") is a day, not a time, unless written with a colon or am/pm.
  if (m === undefined && meridiem === undefined) {
    if (/^\s*at\s/.test(whole ?? '')) {
      const hour = Number(h);
      return hour <= 23 ? { rest, time: { hour, minute: 0 } } : { rest, time: 'invalid' };
    }
    return { rest: input, time: undefined };
  }
  let hour = Number(h);
  const minute = m === undefined ? 0 : Number(m);
  if (minute > 59) return { rest, time: 'invalid' };
  if (meridiem) {
    if (hour < 1 || hour > 12) return { rest, time: 'invalid' };
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  } else if (hour > 23) {
    return { rest, time: 'invalid' };
  }
  return { rest, time: { hour, minute } };
}

function parseDay(rest: string, today: WallTime & { weekday: number }): { year: number; month: number; day: number } | undefined {
  const base = { year: today.year, month: today.month, day: today.day };
  const plus = (days: number) => {
    const d = new Date(Date.UTC(today.year, today.month - 1, today.day + days));
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  };
  if (rest === '' || rest === 'today' || rest === 'tonight') return base;
  if (rest === 'tomorrow' || rest === 'tmrw') return plus(1);
  const isoDay = /^(\d{4})-(\d{2})-(\d{2})$/.exec(rest);
  if (isoDay) return { year: Number(isoDay[1]), month: Number(isoDay[2]), day: Number(isoDay[3]) };
  const inN = /^in (\d{1,3}|a|an|one|two|three) (day|days|week|weeks)$/.exec(rest);
  if (inN) {
    const words: Record<string, number> = { a: 1, an: 1, one: 1, two: 2, three: 3 };
    const n = words[inN[1] ?? ''] ?? Number(inN[1]);
    return plus(inN[2]?.startsWith('week') ? n * 7 : n);
  }
  if (rest === 'next week') return plus(7);
  const weekday = /^(?:(next|this|on) )?([a-z]+)$/.exec(rest);
  if (weekday) {
    const index = WEEKDAYS.findIndex((name) => name === weekday[2] || name.slice(0, 3) === weekday[2]);
    if (index >= 0) {
      let delta = (index - today.weekday + 7) % 7;
      if (delta === 0) delta = 7;
      return plus(delta);
    }
  }
  const dayMonth = /^(?:(\d{1,2}) ([a-z]{3})[a-z]*|([a-z]{3})[a-z]* (\d{1,2}))(?: (\d{4}))?$/.exec(rest);
  if (dayMonth) {
    const day = Number(dayMonth[1] ?? dayMonth[4]);
    const month = MONTHS.indexOf(dayMonth[2] ?? dayMonth[3] ?? '') + 1;
    if (month === 0) return undefined;
    let year = dayMonth[5] ? Number(dayMonth[5]) : today.year;
    // "3 jan" said in December means next January.
    if (!dayMonth[5] && (month < today.month || (month === today.month && day < today.day))) year += 1;
    return { year, month, day };
  }
  return undefined;
}

/** Snooze: the same local time `days` later (from now when the task had no due date). */
export function snoozeDue(current: Date | null, days: number, now: Date, timeZone: string): Date {
  if (current) return addLocalDays(current, days, timeZone);
  const wall = wallTimeAt(addLocalDays(now, days, timeZone), timeZone);
  return zonedToUtc({ ...wall, hour: DEFAULT_DUE_HOUR, minute: 0 }, timeZone);
}

/** `Fri 27 Nov 17:00` in the owner's time zone (year added when it is not this year). */
export function formatDue(due: Date, now: Date, timeZone: string): string {
  const sameYear = wallTimeAt(due, timeZone).year === wallTimeAt(now, timeZone).year;
  return new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    ...(sameYear ? {} : { year: 'numeric' }),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  })
    .format(due)
    .replace(/,/g, '');
}
