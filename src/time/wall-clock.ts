/**
 * Wall-clock arithmetic in an IANA time zone, on top of Intl (no library: the only
 * questions asked are "what does the clock show at this instant" and "which instant
 * shows this clock", and Intl answers the first exactly).
 */

/** Wall-clock fields. `month` is 1–12, `weekday` 0 (Sunday) – 6. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A clock: the one source of "now" for everything time-dependent. */
export type Clock = () => Date;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The wall clock in `timeZone` at `date`. */
export function wallAt(date: Date, timeZone: string): WallTime & { second: number; weekday: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  return { year, month, day, hour: parts.hour ?? 0, minute: parts.minute ?? 0, second: parts.second ?? 0, weekday: weekdayOf({ year, month, day }) };
}

export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

/** `YYYY-MM-DD` of the local date in `timeZone` at `date`. */
export function localDateKey(date: Date, timeZone: string): string {
  const wall = wallAt(date, timeZone);
  return dateKey(wall);
}

export function dateKey(date: LocalDate): string {
  return `${date.year}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/** The local date `days` after `date` (negative for before). */
export function addDays(date: LocalDate, days: number): LocalDate {
  const shifted = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function wallAsUtcMs(wall: WallTime): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
}

/**
 * The instant whose wall clock in `timeZone` shows `wall`.
 * - A time that exists twice (autumn fall-back) is the earlier of the two.
 * - A time that does not exist (spring-forward gap, e.g. 02:30 in Berlin on the last
 *   Sunday of March) is the instant the clocks jump, i.e. the first minute after the
 *   gap (03:00). So a routine at 02:30 runs once that day, at 03:00.
 */
export function instantOf(wall: WallTime, timeZone: string): Date {
  const wanted = wallAsUtcMs(wall);
  // Offsets a day before and after cover any single transition around the wanted time.
  const offsets = [offsetAt(new Date(wanted - 86_400_000), timeZone), offsetAt(new Date(wanted + 86_400_000), timeZone)];
  const candidates = [...new Set(offsets)].map((offset) => wanted - offset).sort((a, b) => a - b);
  for (const candidate of candidates) {
    const shown = wallAt(new Date(candidate), timeZone);
    if (wallAsUtcMs(shown) === wanted) return new Date(candidate);
  }
  // In a gap: find the first minute whose wall clock is at or past the wanted time.
  let low = Math.min(...candidates);
  let high = Math.max(...candidates);
  while (high - low > 60_000) {
    const mid = low + Math.floor((high - low) / 120_000) * 60_000;
    if (wallAsUtcMs(wallAt(new Date(mid), timeZone)) >= wanted) high = mid;
    else low = mid;
  }
  return new Date(high);
}

/** Offset of `timeZone` from UTC at `date`, in ms (positive east of Greenwich). */
function offsetAt(date: Date, timeZone: string): number {
  const wall = wallAt(date, timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second) - Math.floor(date.getTime() / 1000) * 1000;
}

/** "Fri 5 Dec, 09:00" in the owner's zone. */
export function formatLocal(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(date);
}

/** Parses `HH:MM` (24-hour); undefined when it is not one. */
export function parseClockTime(text: string): { hour: number; minute: number } | undefined {
  const match = /^([01]?\d|2[0-3]):([0-5]\d)$/.exec(text.trim());
  if (!match) return undefined;
  return { hour: Number(match[1]), minute: Number(match[2]) };
}
