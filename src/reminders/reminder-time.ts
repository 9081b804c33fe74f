import { createRequire } from 'node:module';
import type * as Chrono from 'chrono-node';
import { addDays, formatLocal, instantOf, wallAt, type WallTime } from '../time/index.js';

/**
 * When a reminder fires, read from the owner's words. chrono-node finds the time in the
 * text; the wall clock it yields is turned into an instant in the owner's IANA zone by our
 * own code (chrono only knows fixed offsets, which are wrong across a DST change).
 */

// chrono-node is ~270 modules: load it on the first reminder, not at every start (its CommonJS build, so parsing stays synchronous).
let chronoModule: typeof Chrono | undefined;
function chrono(): typeof Chrono {
  chronoModule ??= createRequire(import.meta.url)('chrono-node') as typeof Chrono;
  return chronoModule;
}

/** A repeating reminder: every day, every weekday (Mon–Fri), or on given weekdays (0 = Sunday). */
export interface RepeatRule {
  every: 'day' | 'weekday' | 'week';
  /** For `week`: the weekdays, 0 (Sunday) – 6. */
  weekdays?: number[];
  hour: number;
  minute: number;
}

export interface ParsedReminder {
  due: Date;
  /** What to remind of (the words left once the time is taken out); empty when only a time was given. */
  what: string;
  repeat: RepeatRule | null;
}

export type ReminderParse = { ok: true; reminder: ParsedReminder } | { ok: false; error: string };

/** The local time a reminder gets when the owner names a day but no time. */
export const DEFAULT_REMINDER_HOUR = 9;

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const EXAMPLES = 'try "tomorrow at 9 call the dentist", "in 20 minutes stretch" or "every friday at 17:00 log expenses"';

/** Offset of `timeZone` from UTC at `at`, in minutes (what chrono takes as a reference zone). */
function offsetMinutes(at: Date, timeZone: string): number {
  const wall = wallAt(at, timeZone);
  const shown = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return Math.round((shown - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/**
 * Reads `text` ("tomorrow at 9 call the dentist", "in 20 minutes stretch", "every friday at
 * 17:00 log expenses") relative to `now` in `timeZone`. Times in the past are refused.
 */
export function parseReminder(text: string, now: Date, timeZone: string): ReminderParse {
  const input = text.trim().replace(/\s+/g, ' ').replace(/^(remind me|me)\s+/i, '');
  if (input === '') return { ok: false, error: `say when and what, e.g. ${EXAMPLES}` };
  const every = /^every\s+(day|weekday|(?:(?:sun|mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?)(?:day)?s?(?:\s*(?:,|and)\s*)?)+)\b\s*/i.exec(input);
  if (every) return parseRepeating(every[1] ?? '', input.slice(every[0].length), now, timeZone);
  if (/^every\b/i.test(input)) return { ok: false, error: `I can repeat every day, every weekday or every <weekday>, not "${input.split(' ').slice(0, 2).join(' ')}" (${EXAMPLES})` };

  const reference = { instant: now, timezone: offsetMinutes(now, timeZone) };
  const results = chrono().parse(input, reference, { forwardDate: true });
  const found = results[0];
  if (!found) return { ok: false, error: `I could not find a time in "${text.trim()}" (${EXAMPLES})` };
  const what = cleanWhat(input.slice(0, found.index) + ' ' + input.slice(found.index + found.text.length));
  let due: Date;
  if (found.tags().has('result/relativeDateAndTime')) {
    // "in 20 minutes": an exact duration from now, whatever the clocks do meanwhile.
    due = found.start.date();
  } else {
    const hourGiven = found.start.isCertain('hour');
    const wall: WallTime = {
      year: found.start.get('year') ?? 1970,
      month: found.start.get('month') ?? 1,
      day: found.start.get('day') ?? 1,
      hour: hourGiven ? (found.start.get('hour') ?? 0) : DEFAULT_REMINDER_HOUR,
      minute: hourGiven ? (found.start.get('minute') ?? 0) : 0,
    };
    due = instantOf(wall, timeZone);
  }
  if (due.getTime() <= now.getTime()) {
    return { ok: false, error: `${formatLocal(due, timeZone)} is in the past (now it is ${formatLocal(now, timeZone)} in ${timeZone})` };
  }
  return { ok: true, reminder: { due, what, repeat: null } };
}

function parseRepeating(days: string, rest: string, now: Date, timeZone: string): ReminderParse {
  const rule = repeatDays(days.toLowerCase());
  if (!rule) return { ok: false, error: `I do not understand "every ${days}" (${EXAMPLES})` };
  const time = /^(?:at\s+)?(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\b\s*/i.exec(rest);
  let hour = DEFAULT_REMINDER_HOUR;
  let minute = 0;
  let what = rest;
  if (time) {
    // Parsed by chrono too, so "5pm", "17:00" and "at 9" read the same as in a one-off.
    const parsed = chrono().parse(time[0], { instant: now, timezone: 0 })[0];
    if (!parsed?.start.isCertain('hour')) return { ok: false, error: `not a time I understand: "${time[0].trim()}"` };
    hour = parsed.start.get('hour') ?? 0;
    minute = parsed.start.get('minute') ?? 0;
    what = rest.slice(time[0].length);
  }
  const repeat: RepeatRule = { ...rule, hour, minute };
  return { ok: true, reminder: { due: nextOccurrence(repeat, now, timeZone), what: cleanWhat(what), repeat } };
}

function repeatDays(days: string): Omit<RepeatRule, 'hour' | 'minute'> | undefined {
  if (days === 'day') return { every: 'day' };
  if (days === 'weekday') return { every: 'weekday' };
  const weekdays: number[] = [];
  for (const word of days.split(/\s*(?:,|and|\s)\s*/).filter(Boolean)) {
    const index = WEEKDAYS.findIndex((name) => name.startsWith(word.replace(/s$/, '').slice(0, 3)));
    if (index < 0) return undefined;
    if (!weekdays.includes(index)) weekdays.push(index);
  }
  return weekdays.length > 0 ? { every: 'week', weekdays: weekdays.sort((a, b) => a - b) } : undefined;
}

/** The first time the rule fires strictly after `after`, in `timeZone` (a time in a DST gap fires when the clocks jump). */
export function nextOccurrence(rule: RepeatRule, after: Date, timeZone: string): Date {
  const today = wallAt(after, timeZone);
  for (let offset = 0; offset <= 8; offset++) {
    const date = addDays(today, offset);
    const weekday = new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
    if (rule.every === 'weekday' && (weekday === 0 || weekday === 6)) continue;
    if (rule.every === 'week' && !(rule.weekdays ?? []).includes(weekday)) continue;
    const at = instantOf({ ...date, hour: rule.hour, minute: rule.minute }, timeZone);
    if (at.getTime() > after.getTime()) return at;
  }
  throw new Error('repeat rule has no day');
}

/** "every Friday at 17:00", for the owner. */
export function describeRepeat(rule: RepeatRule): string {
  const time = `${String(rule.hour).padStart(2, '0')}:${String(rule.minute).padStart(2, '0')}`;
  if (rule.every === 'day') return `every day at ${time}`;
  if (rule.every === 'weekday') return `every weekday at ${time}`;
  const names = (rule.weekdays ?? []).map((day) => (WEEKDAYS[day] ?? '').replace(/^./, (c) => c.toUpperCase()));
  return `every ${names.join(', ')} at ${time}`;
}

function cleanWhat(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(to|that|about)\s+/i, '')
    .replace(/^[,:;-]\s*/, '')
    .trim();
}
