import { isTimeZone, parseClockTime } from '../time/index.js';
import { CATCH_UP_POLICIES, type CatchUpPolicy } from './scheduler.js';
import type { RoutineRule } from './schedule.js';

/** One routine from recurring-plans.md. */
export interface RoutinePlan {
  id: string;
  /** Line of its `## id` heading. */
  line: number;
  enabled: boolean;
  rule: RoutineRule;
  title: string;
  includes: string[];
  prompt: string;
  catchUp: CatchUpPolicy;
  /** Per-routine override of USER_TIMEZONE. */
  timeZone: string | undefined;
  /** Send a short "nothing today" instead of staying quiet when no section has content. */
  sendIfEmpty: boolean;
}

export interface PlanProblem {
  line: number;
  reason: string;
}

export type PlansParse = { ok: true; plans: RoutinePlan[] } | { ok: false; problems: PlanProblem[] };

export const KNOWN_SECTIONS = ['calendar', 'tasks', 'emails', 'projects', 'progress', 'goals', 'reminders', 'stale-projects', 'agents'] as const;
const KEYS = ['enabled', 'every', 'days', 'day', 'time', 'title', 'includes', 'prompt', 'catch-up', 'timezone', 'send-if-empty'] as const;
type Key = (typeof KEYS)[number];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/**
 * Parses recurring-plans.md in the format documented at its top. Every problem is
 * reported with its line number; a file with any problem yields no plans at all, so
 * the caller keeps running the last good version.
 */
export function parseRecurringPlans(text: string): PlansParse {
  const problems: PlanProblem[] = [];
  const plans: RoutinePlan[] = [];
  const lines = text.split(/\r?\n/);
  let inComment = false;
  let current: { id: string; line: number; values: Map<Key, { value: string; line: number }> } | undefined;
  const finish = (): void => {
    if (!current) return;
    const plan = toPlan(current.id, current.line, current.values, problems);
    if (plan) plans.push(plan);
    current = undefined;
  };
  for (const [index, raw] of lines.entries()) {
    const lineNo = index + 1;
    let line = raw;
    // Strip HTML comments, which may span lines.
    let visible = '';
    while (line.length > 0) {
      if (inComment) {
        const close = line.indexOf('-->');
        if (close < 0) {
          line = '';
        } else {
          inComment = false;
          line = line.slice(close + 3);
        }
      } else {
        const open = line.indexOf('<!--');
        if (open < 0) {
          visible += line;
          line = '';
        } else {
          visible += line.slice(0, open);
          inComment = true;
          line = line.slice(open + 4);
        }
      }
    }
    const heading = /^##\s+(.*)$/.exec(visible.trim());
    if (heading && !visible.trim().startsWith('###')) {
      finish();
      const id = (heading[1] ?? '').trim();
      if (!/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(id)) {
        problems.push({ line: lineNo, reason: `routine id "${id}" must be lowercase letters, digits and dashes` });
      } else if (plans.some((plan) => plan.id === id) || problems.some((p) => p.reason === `duplicate routine id "${id}"`)) {
        problems.push({ line: lineNo, reason: `duplicate routine id "${id}"` });
      }
      current = { id, line: lineNo, values: new Map() };
      continue;
    }
    if (!current) continue;
    const setting = /^\s*-\s+([A-Za-z][A-Za-z-]*)\s*:\s*(.*)$/.exec(visible);
    if (!setting) continue;
    const key = (setting[1] ?? '').toLowerCase();
    const value = (setting[2] ?? '').trim();
    if (!(KEYS as readonly string[]).includes(key)) {
      problems.push({ line: lineNo, reason: `unknown key "${key}" (known: ${KEYS.join(', ')})` });
      continue;
    }
    if (current.values.has(key as Key)) {
      problems.push({ line: lineNo, reason: `"${key}" is set twice in ${current.id}` });
      continue;
    }
    current.values.set(key as Key, { value, line: lineNo });
  }
  finish();
  const ids = new Set<string>();
  for (const plan of plans) {
    if (ids.has(plan.id) && !problems.some((p) => p.reason === `duplicate routine id "${plan.id}"`)) problems.push({ line: plan.line, reason: `duplicate routine id "${plan.id}"` });
    ids.add(plan.id);
  }
  if (problems.length > 0) return { ok: false, problems: problems.sort((a, b) => a.line - b.line) };
  return { ok: true, plans };
}

function toPlan(id: string, line: number, values: Map<Key, { value: string; line: number }>, problems: PlanProblem[]): RoutinePlan | undefined {
  const before = problems.length;
  const get = (key: Key): { value: string; line: number } | undefined => values.get(key);
  const fail = (key: Key, reason: string): void => {
    problems.push({ line: get(key)?.line ?? line, reason: `${id}: ${reason}` });
  };
  const yesNo = (key: Key, fallback: boolean): boolean => {
    const entry = get(key);
    if (!entry) return fallback;
    const value = entry.value.toLowerCase();
    if (value === 'yes' || value === 'true') return true;
    if (value === 'no' || value === 'false') return false;
    fail(key, `${key} must be yes or no, not "${entry.value}"`);
    return fallback;
  };
  const enabled = yesNo('enabled', true);
  const sendIfEmpty = yesNo('send-if-empty', false);

  const timeEntry = get('time');
  const time = timeEntry ? parseClockTime(timeEntry.value) : undefined;
  if (!timeEntry) fail('time', 'time is required (HH:MM, 24-hour)');
  else if (!time) fail('time', `time must be HH:MM (24-hour), not "${timeEntry.value}"`);

  const every = get('every')?.value.toLowerCase();
  let rule: RoutineRule | undefined;
  const hour = time?.hour ?? 0;
  const minute = time?.minute ?? 0;
  if (every === undefined) fail('every', 'every is required (day, week or month)');
  else if (every === 'day') {
    const daysText = get('days')?.value;
    const days: number[] = [];
    if (daysText === undefined || daysText.trim() === '') days.push(0, 1, 2, 3, 4, 5, 6);
    else {
      for (const name of daysText.split(',').map((d) => d.trim().toLowerCase())) {
        const day = WEEKDAYS.indexOf(name);
        if (day < 0) fail('days', `"${name}" is not a day (mon, tue, wed, thu, fri, sat, sun)`);
        else if (!days.includes(day)) days.push(day);
      }
    }
    if (get('day')) fail('day', 'day is for every: week or month; use days for every: day');
    rule = { every: 'day', days, hour, minute };
  } else if (every === 'week') {
    const dayText = get('day')?.value.toLowerCase();
    const weekday = dayText === undefined ? -1 : WEEKDAYS.indexOf(dayText);
    if (dayText === undefined) fail('every', 'every: week needs day: mon..sun');
    else if (weekday < 0) fail('day', `day must be one of mon..sun for every: week, not "${dayText}"`);
    rule = { every: 'week', weekday: Math.max(0, weekday), hour, minute };
  } else if (every === 'month') {
    const dayText = get('day')?.value.toLowerCase();
    let day: number | 'last' = 1;
    if (dayText === undefined) fail('every', 'every: month needs day: 1-28 or last');
    else if (dayText === 'last') day = 'last';
    else if (/^\d+$/.test(dayText) && Number(dayText) >= 1 && Number(dayText) <= 28) day = Number(dayText);
    else fail('day', `day must be 1-28 or last for every: month, not "${dayText}"`);
    rule = { every: 'month', day, hour, minute };
  } else fail('every', `every must be day, week or month, not "${get('every')?.value ?? ''}"`);

  const includes = (get('includes')?.value ?? '')
    .split(',')
    .map((section) => section.trim().toLowerCase())
    .filter((section) => section !== '');
  for (const section of includes) {
    if (!(KNOWN_SECTIONS as readonly string[]).includes(section)) fail('includes', `unknown section "${section}" (known: ${KNOWN_SECTIONS.join(', ')})`);
  }

  const catchUpText = (get('catch-up')?.value ?? 'same-day').toLowerCase();
  if (!(CATCH_UP_POLICIES as readonly string[]).includes(catchUpText)) fail('catch-up', `catch-up must be skip, same-day, once or ask, not "${catchUpText}"`);
  const timeZone = get('timezone')?.value;
  if (timeZone !== undefined && !isTimeZone(timeZone)) fail('timezone', `"${timeZone}" is not an IANA time zone such as Europe/Berlin`);

  if (problems.length > before || !rule) return undefined;
  return {
    id,
    line,
    enabled,
    rule,
    title: get('title')?.value || id,
    includes,
    prompt: get('prompt')?.value ?? '',
    catchUp: catchUpText as CatchUpPolicy,
    timeZone,
    sendIfEmpty,
  };
}
