import { wallAt, type WallTime } from '../time/wall-clock.js';

export type { WallTime } from '../time/wall-clock.js';

/** The wall clock in `timeZone` at instant `date` (the one implementation lives in time/). */
export const wallTimeAt = wallAt;

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
