import type { CalendarEvent } from './calendar-source.js';
import { isoDate, startOfZonedDay } from './zoned-day.js';

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** Does the event touch the owner's day `date` (YYYY-MM-DD)? All-day ends are exclusive. */
export function onDay(event: CalendarEvent, date: string, timeZone: string): boolean {
  if (event.allDay) return event.startDate <= date && date < event.endDate;
  const start = startOfZonedDay(new Date(`${date}T12:00:00Z`), timeZone);
  const end = startOfZonedDay(new Date(`${date}T12:00:00Z`), timeZone, 1);
  return event.start < end && event.end > start;
}

function clock(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

/** One plain line per event: "09:00–10:00 Title", "all day: Title" (multi-day: "until Fri 5 Dec"). */
export function eventLine(event: CalendarEvent, timeZone: string): string {
  if (event.allDay) {
    const last = addDays(event.endDate, -1);
    const until = last !== event.startDate ? ` (until ${new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(new Date(`${last}T00:00:00Z`))})` : '';
    return `all day: ${event.title}${until}`;
  }
  return `${clock(event.start, timeZone)}–${clock(event.end, timeZone)} ${event.title}`;
}

/** Lines per day from `from` for `days` days, in the owner's zone; empty days are skipped. */
export function agenda(events: readonly CalendarEvent[], from: Date, days: number, timeZone: string): Array<{ date: string; label: string; lines: string[] }> {
  const out: Array<{ date: string; label: string; lines: string[] }> = [];
  for (let i = 0; i < days; i += 1) {
    const dayStart = startOfZonedDay(from, timeZone, i);
    const date = isoDate(dayStart, timeZone);
    const lines = events.filter((e) => onDay(e, date, timeZone)).map((e) => eventLine(e, timeZone));
    if (lines.length === 0) continue;
    const label = new Intl.DateTimeFormat('en-GB', { weekday: 'long', day: 'numeric', month: 'short', timeZone }).format(dayStart);
    out.push({ date, label, lines });
  }
  return out;
}
