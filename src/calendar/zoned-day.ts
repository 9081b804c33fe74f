/** Wall-clock arithmetic in an IANA zone with Intl only (DST-safe: offsets are looked up per instant). */

function parts(at: Date, timeZone: string): { year: number; month: number; day: number; hour: number; minute: number; second: number; weekday: number } {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', weekday: 'short' });
  const out: Record<string, string> = {};
  for (const part of fmt.formatToParts(at)) out[part.type] = part.value;
  const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return { year: Number(out.year), month: Number(out.month), day: Number(out.day), hour: Number(out.hour), minute: Number(out.minute), second: Number(out.second), weekday: weekdays.indexOf(out.weekday ?? 'Sun') };
}

/** The zone's offset from UTC at an instant, in ms. */
function offsetAt(at: Date, timeZone: string): number {
  const p = parts(at, timeZone);
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a wall-clock time occurs in the zone (the earlier one in a repeated hour; a skipped time moves forward). */
export function zonedTime(year: number, month: number, day: number, hour: number, minute: number, timeZone: string): Date {
  const guess = Date.UTC(year, month - 1, day, hour, minute);
  const first = guess - offsetAt(new Date(guess), timeZone);
  const second = guess - offsetAt(new Date(first), timeZone);
  return new Date(Math.min(first, second));
}

/** The calendar date (y, m, d) of an instant in the zone. */
export function zonedDate(at: Date, timeZone: string): { year: number; month: number; day: number; weekday: number } {
  const p = parts(at, timeZone);
  return { year: p.year, month: p.month, day: p.day, weekday: p.weekday };
}

export function startOfZonedDay(at: Date, timeZone: string, plusDays = 0): Date {
  const { year, month, day } = zonedDate(at, timeZone);
  const target = new Date(Date.UTC(year, month - 1, day + plusDays));
  return zonedTime(target.getUTCFullYear(), target.getUTCMonth() + 1, target.getUTCDate(), 0, 0, timeZone);
}

/** YYYY-MM-DD of an instant in the zone. */
export function isoDate(at: Date, timeZone: string): string {
  const { year, month, day } = zonedDate(at, timeZone);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
