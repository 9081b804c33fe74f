import { parseClockTime, wallAt } from '../time/index.js';

/** The owner's quiet hours, as minutes of the local day; `start > end` wraps past midnight. */
export interface QuietHours {
  startMinute: number;
  endMinute: number;
}

/** The preference that holds them, e.g. `22:00-07:00` (an en dash or "to" works too). */
export const QUIET_HOURS_PREFERENCE = 'quiet_hours';
/**
 * Which kinds of proactive message still go out during quiet hours, comma-separated
 * (`reminder`, `routine`, `nudge`, `ask`, `mail`, …, or `none`). Messages sent with
 * `urgent: true` always go out. Default: reminders the owner set themselves.
 */
export const QUIET_HOURS_URGENT_PREFERENCE = 'quiet_hours_urgent';
export const DEFAULT_URGENT_KINDS: readonly string[] = ['reminder'];

export type QuietHoursParse = { ok: true; quiet: QuietHours | undefined } | { ok: false; reason: string };

/** `22:00-07:00` → quiet hours; empty or `off` → none. */
export function parseQuietHours(text: string | undefined): QuietHoursParse {
  const value = (text ?? '').trim().toLowerCase();
  if (value === '' || value === 'off' || value === 'none') return { ok: true, quiet: undefined };
  const parts = value.split(/\s*(?:-|–|—|to)\s*/);
  const start = parts.length === 2 ? parseClockTime(parts[0] ?? '') : undefined;
  const end = parts.length === 2 ? parseClockTime(parts[1] ?? '') : undefined;
  if (!start || !end) return { ok: false, reason: `quiet_hours must look like 22:00-07:00, not "${text ?? ''}"` };
  const startMinute = start.hour * 60 + start.minute;
  const endMinute = end.hour * 60 + end.minute;
  if (startMinute === endMinute) return { ok: true, quiet: undefined };
  return { ok: true, quiet: { startMinute, endMinute } };
}

export function isQuietAt(quiet: QuietHours | undefined, now: Date, timeZone: string): boolean {
  if (!quiet) return false;
  const wall = wallAt(now, timeZone);
  const minute = wall.hour * 60 + wall.minute;
  return quiet.startMinute < quiet.endMinute
    ? minute >= quiet.startMinute && minute < quiet.endMinute
    : minute >= quiet.startMinute || minute < quiet.endMinute;
}

export function parseUrgentKinds(text: string | undefined): string[] {
  if (text === undefined || text.trim() === '') return [...DEFAULT_URGENT_KINDS];
  // Each word as written, and its singular too ("reminders" means the kind `reminder`), so a
  // kind that itself ends in "s" is never cut short.
  return text
    .split(',')
    .map((kind) => kind.trim().toLowerCase())
    .filter((kind) => kind !== '' && kind !== 'none')
    .flatMap((kind) => (kind.endsWith('s') && kind.length > 1 ? [kind, kind.slice(0, -1)] : [kind]));
}

/** The kind of a scope: its prefix before the first colon (`routine:morning:…` → `routine`). */
export function kindOfScope(scope: string): string {
  const colon = scope.indexOf(':');
  return colon < 0 ? scope : scope.slice(0, colon);
}
