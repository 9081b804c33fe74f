/** Wall-clock fields in a time zone. `month` is 1–12, `weekday` 0 (Sunday) – 6. */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

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

/** The wall clock in `timeZone` at instant `date`. */
export function wallTimeAt(date: Date, timeZone: string): WallTime & { second: number; weekday: number } {
  const parts: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const year = parts.year ?? 1970;
  const month = parts.month ?? 1;
  const day = parts.day ?? 1;
  return {
    year,
    month,
    day,
    hour: parts.hour ?? 0,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    weekday: new Date(Date.UTC(year, month - 1, day)).getUTCDay(),
  };
}

/** Offset of `timeZone` from UTC at `date`, in ms (positive east of Greenwich). */
function offsetAt(date: Date, timeZone: string): number {
  const wall = wallTimeAt(date, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * The instant a wall-clock time in `timeZone` names. Across a DST change: a time
 * that does not exist (spring forward) moves forward by the gap, e.g. 02:30 → 03:30;
 * a time that exists twice (fall back) is the earlier of the two.
 */
export function zonedToUtc(wall: WallTime, timeZone: string): Date {
  const guess = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute);
  const before = offsetAt(new Date(guess - 86_400_000), timeZone);
  const after = offsetAt(new Date(guess + 86_400_000), timeZone);
  // Try both offsets around the wanted time; keep a candidate that reads back as the wanted wall time.
  const candidates = [guess - Math.max(before, after), guess - Math.min(before, after)].sort((a, b) => a - b);
  for (const candidate of candidates) {
    const back = wallTimeAt(new Date(candidate), timeZone);
    if (back.hour === wall.hour && back.minute === wall.minute && back.day === wall.day) return new Date(candidate);
  }
  // In the spring-forward gap: the offset before the change, which lands after the gap.
  return new Date(guess - before);
}

/** Adds calendar days in `timeZone`, keeping the wall-clock time (so 09:00 stays 09:00 across DST). */
export function addLocalDays(date: Date, days: number, timeZone: string): Date {
  const wall = wallTimeAt(date, timeZone);
  const shifted = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + days));
  return zonedToUtc(
    { year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate(), hour: wall.hour, minute: wall.minute },
    timeZone,
  );
}
