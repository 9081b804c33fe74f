import { z } from 'zod';
import { GoogleApiError } from '../google/google-errors.js';
import type { Resolution, ResolvedObject, Tool, ToolOutcome, ToolRegistry } from '../tools/index.js';
import type { CalendarEditor, CalendarEvent } from './calendar-source.js';
import { isoDate, startOfZonedDay, zonedTime } from './zoned-day.js';

const clockTime = z
  .string()
  .trim()
  .regex(/^([01]?\d|2[0-3])(?::([0-5]\d))?\s*([ap]\.?m\.?)?$/i, 'a time such as 15:00 or 3pm');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

const Args = z
  .object({
    at: clockTime.describe('When the event starts now, in the owner’s time, e.g. 15:00 or 3pm'),
    date: day.optional().describe('The day it is on (YYYY-MM-DD); today when left out'),
    title: z.string().trim().min(1).max(100).optional().describe('Part of its title, only when several events start at that time'),
    to: clockTime.describe('The new start time, e.g. 16:00 or 4pm; the length stays the same'),
    toDate: day.optional().describe('The new day (YYYY-MM-DD) when it moves to another day'),
  })
  .strict();
type Args = z.infer<typeof Args>;

const Span = z.object({ start: z.string(), end: z.string() });
/** What an approval stores: the exact Google event id, where it was when shown, and where it goes. */
const MoveRef = z.object({ eventId: z.string(), before: Span, after: Span });
type MoveRef = z.infer<typeof MoveRef>;
const MoveBack = z.object({ eventId: z.string(), from: Span, to: Span, title: z.string() });

export const MOVE_EVENT_TOOL = 'move_calendar_event';
const UNDO_KIND = 'calendar_event_move_back';

/**
 * L2, only when GOOGLE_CALENDAR_WRITE is on: "move my 3pm to 4pm". The event is found when the
 * call is requested (exactly one timed event starting then); the approval shows its title with
 * the time before and after, and approving moves exactly that event id, only if it is still where
 * it was shown. Undo moves it back, only if nobody moved it since.
 */
export function registerMoveEventTool(registry: ToolRegistry, deps: { calendar: CalendarEditor; timeZone: string; now: () => Date }): void {
  const { calendar, timeZone, now } = deps;
  const span = (start: Date, end: Date): string => spanLabel(start, end, timeZone);

  async function resolve(args: Args): Promise<Resolution> {
    const date = args.date ?? isoDate(now(), timeZone);
    const dayStart = zonedTime(...ymd(date), 0, 0, timeZone);
    const events = await calendar.events(dayStart, startOfZonedDay(dayStart, timeZone, 1), timeZone);
    const at = parseClock(args.at);
    const timed = events.filter((e): e is Extract<CalendarEvent, { allDay: false }> => !e.allDay && isoDate(e.start, timeZone) === date);
    const starting = timed.filter((e) => clockOf(e.start, timeZone) === at && (!args.title || e.title.toLowerCase().includes(args.title.toLowerCase())));
    const dayText = dayLabel(dayStart, timeZone);
    // Titles may come from other people's invitations: the model gets start times, and titles
    // (quoted, cut short) only to tell apart events at the same time.
    if (starting.length === 0) {
      const times = [...new Set(timed.map((e) => clockOf(e.start, timeZone)))].slice(0, 12);
      return { ok: false, error: `no event starts at ${at} on ${dayText}${args.title ? ' with that title' : ''}. ${times.length > 0 ? `Timed events that day start at ${times.join(', ')}.` : 'That day has no timed events.'}` };
    }
    if (starting.length > 1) return { ok: false, error: `${starting.length} events start at ${at} on ${dayText}: ${starting.map((e) => `“${e.title.slice(0, 40)}”`).join(', ')}. Say which one by its title.` };
    const event = starting[0] as Extract<CalendarEvent, { allDay: false }>;
    const to = parseClock(args.to);
    const [hour, minute] = to.split(':').map(Number) as [number, number];
    const newStart = zonedTime(...ymd(args.toDate ?? date), hour, minute, timeZone);
    const newEnd = new Date(newStart.getTime() + (event.end.getTime() - event.start.getTime()));
    const ref: MoveRef = { eventId: event.id, before: { start: event.start.toISOString(), end: event.end.toISOString() }, after: { start: newStart.toISOString(), end: newEnd.toISOString() } };
    return { ok: true, object: { id: 'calendar event', title: event.title, where: 'Google Calendar', ref } };
  }

  const move: Tool<Args> = {
    name: MOVE_EVENT_TOOL,
    description: 'Move one event in the owner’s Google Calendar to a new start time (same length), e.g. “move my 3pm to 4pm”. The owner approves it first.',
    tier: 'L2',
    args: Args,
    describe: (args, object) => {
      const ref = object ? MoveRef.safeParse(object.ref) : undefined;
      if (ref?.success) {
        const { before, after } = ref.data;
        return `Move from ${span(new Date(before.start), new Date(before.end))} to ${span(new Date(after.start), new Date(after.end))}`;
      }
      return `Move the event at ${args.at}${args.date ? ` on ${args.date}` : ' today'} to ${args.to}${args.toDate ? ` on ${args.toDate}` : ''}`;
    },
    resolve,
    run: async (args, ctx) => {
      let object: ResolvedObject | undefined = ctx.object;
      if (!object) {
        const resolution = await resolve(args);
        if (!resolution.ok) return { content: `Not moved: ${resolution.error}` };
        object = resolution.object;
      }
      const ref = MoveRef.parse(object.ref);
      try {
        return await moveExactly(ref, object.title);
      } catch (err) {
        if (err instanceof GoogleApiError) return { content: `Not moved: Google Calendar answered ${err.kind === 'auth-revoked' ? 'that access was revoked or lacks the calendar write permission (send /google)' : err.message}.` };
        throw err;
      }
    },
  };

  async function moveExactly(ref: MoveRef, title: string): Promise<ToolOutcome> {
    const before = { start: new Date(ref.before.start), end: new Date(ref.before.end) };
    const after = { start: new Date(ref.after.start), end: new Date(ref.after.end) };
    const current = await calendar.event(ref.eventId);
    if (!current || current.allDay) return { content: `Not moved: “${title}” is no longer in the calendar.` };
    const already = current.start.getTime() === after.start.getTime() && current.end.getTime() === after.end.getTime();
    if (!already) {
      if (current.start.getTime() !== before.start.getTime() || current.end.getTime() !== before.end.getTime()) {
        return { content: `Not moved: “${title}” changed since you were asked (it is now ${span(current.start, current.end)}).` };
      }
      await calendar.move(ref.eventId, after.start, after.end, timeZone);
    }
    const line = `Moved “${title}” from ${span(before.start, before.end)} to ${span(after.start, after.end)}`;
    return {
      content: line,
      summary: line,
      undo: { kind: UNDO_KIND, payload: { eventId: ref.eventId, from: ref.after, to: ref.before, title }, label: `back to ${span(before.start, before.end)}` },
    };
  }

  registry.register(move);
  registry.registerUndo(UNDO_KIND, async (payload) => {
    const back = MoveBack.parse(payload);
    const from = { start: new Date(back.from.start), end: new Date(back.from.end) };
    const to = { start: new Date(back.to.start), end: new Date(back.to.end) };
    try {
      const current = await calendar.event(back.eventId);
      if (!current || current.allDay) return `“${back.title}” is no longer in the calendar.`;
      if (current.start.getTime() === to.start.getTime() && current.end.getTime() === to.end.getTime()) return `“${back.title}” is already at ${span(to.start, to.end)}.`;
      if (current.start.getTime() !== from.start.getTime() || current.end.getTime() !== from.end.getTime()) return `Not moved back: “${back.title}” was changed since (it is now ${span(current.start, current.end)}).`;
      await calendar.move(back.eventId, to.start, to.end, timeZone);
      return `“${back.title}” is back at ${span(to.start, to.end)}.`;
    } catch (err) {
      if (err instanceof GoogleApiError) return `Not moved back: Google Calendar answered ${err.message}.`;
      throw err;
    }
  });
}

/** "3pm", "3:30 p.m.", "15:00" → "15:00". */
export function parseClock(text: string): string {
  const match = /^([01]?\d|2[0-3])(?::([0-5]\d))?\s*([ap])?\.?m?\.?$/i.exec(text.trim());
  if (!match) throw new Error(`not a time: ${text}`);
  let hour = Number(match[1]);
  const half = match[3]?.toLowerCase();
  if (half === 'p' && hour < 12) hour += 12;
  if (half === 'a' && hour === 12) hour = 0;
  return `${String(hour).padStart(2, '0')}:${match[2] ?? '00'}`;
}

function ymd(date: string): [number, number, number] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  return [y, m, d];
}

function clockOf(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(at);
}

function dayLabel(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, weekday: 'short', day: 'numeric', month: 'short' }).format(at);
}

/** "Tue 2 Dec 15:00–16:00" in the owner's zone. */
function spanLabel(start: Date, end: Date, timeZone: string): string {
  const endDay = isoDate(end, timeZone) !== isoDate(start, timeZone) ? `${dayLabel(end, timeZone)} ` : '';
  return `${dayLabel(start, timeZone)} ${clockOf(start, timeZone)}–${endDay}${clockOf(end, timeZone)}`;
}
