import type { calendar_v3 } from '@googleapis/calendar';
import { z } from 'zod';
import { classifyGoogleError, GoogleApiError } from '../google/google-errors.js';
import type { GoogleSession } from '../google/google-session.js';

/** One event in our own terms. All-day events carry dates; `endDate` is exclusive, as Google sends it. */
export type CalendarEvent =
  | { id: string; title: string; allDay: false; start: Date; end: Date }
  | { id: string; title: string; allDay: true; startDate: string; endDate: string };

/** The calendar port: events overlapping [from, to), expanded (singleEvents) and ordered by start. Throws GoogleApiError. */
export interface CalendarSource {
  events(from: Date, to: Date, timeZone: string): Promise<CalendarEvent[]>;
}

/** The write port (GOOGLE_CALENDAR_WRITE): one event by id, and moving a timed event. Throws GoogleApiError. */
export interface CalendarEditor extends CalendarSource {
  /** The event, or undefined when it is gone (404 or cancelled). */
  event(id: string): Promise<CalendarEvent | undefined>;
  /** Moves a timed event to [start, end), written in the owner's zone; returns it as stored. */
  move(id: string, start: Date, end: Date, timeZone: string): Promise<CalendarEvent>;
}

const Time = z.object({ dateTime: z.string().optional(), date: z.string().optional() });
const Item = z.object({ id: z.string(), status: z.string().optional(), summary: z.string().optional(), start: Time, end: Time });
const Events = z.object({
  nextPageToken: z.string().optional(),
  items: z.array(Item).default([]),
});

function toEvent(item: z.infer<typeof Item>): CalendarEvent | undefined {
  if (item.status === 'cancelled') return undefined;
  const title = item.summary?.trim() || '(no title)';
  if (item.start.date && item.end.date) return { id: item.id, title, allDay: true, startDate: item.start.date, endDate: item.end.date };
  if (item.start.dateTime && item.end.dateTime) return { id: item.id, title, allDay: false, start: new Date(item.start.dateTime), end: new Date(item.end.dateTime) };
  return undefined;
}

/** The start or end of a timed event as Calendar v3 takes it: RFC 3339 with an offset, and the zone it is meant in. */
function eventTime(at: Date, timeZone: string): { dateTime: string; timeZone: string } {
  return { dateTime: at.toISOString().replace(/\.\d{3}Z$/, 'Z'), timeZone };
}

export function createGoogleCalendarSource(session: GoogleSession, apiRoot: string): CalendarEditor {
  let client: Promise<calendar_v3.Calendar> | undefined;
  async function api(): Promise<calendar_v3.Calendar> {
    client ??= (async () => {
      const auth = await session.auth();
      if (!auth) throw new GoogleApiError('calendar', 'auth-revoked', 'Google is not connected (run npm run google:auth or send /google)');
      const { calendar } = await import('@googleapis/calendar');
      return calendar({ version: 'v3', auth, rootUrl: `${apiRoot}/` });
    })().catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return client;
  }
  return {
    async events(from, to, timeZone) {
      const out: CalendarEvent[] = [];
      let pageToken: string | undefined;
      do {
        let data: unknown;
        try {
          const calendar = await api();
          data = (
            await calendar.events.list(
              { calendarId: 'primary', timeMin: from.toISOString(), timeMax: to.toISOString(), singleEvents: true, orderBy: 'startTime', timeZone, maxResults: 250, ...(pageToken ? { pageToken } : {}) },
              { retry: false },
            )
          ).data;
        } catch (err) {
          throw classifyGoogleError('calendar.events.list', err);
        }
        const parsed = Events.safeParse(data);
        if (!parsed.success) throw new GoogleApiError('calendar.events.list', 'failed', 'unexpected answer shape');
        for (const item of parsed.data.items) {
          const event = toEvent(item);
          if (event) out.push(event);
        }
        pageToken = parsed.data.nextPageToken;
      } while (pageToken);
      return out;
    },
    async event(id) {
      let data: unknown;
      try {
        data = (await (await api()).events.get({ calendarId: 'primary', eventId: id }, { retry: false })).data;
      } catch (err) {
        const failure = classifyGoogleError('calendar.events.get', err);
        if (failure.kind === 'not-found' || failure.kind === 'gone') return undefined;
        throw failure;
      }
      const parsed = Item.safeParse(data);
      if (!parsed.success) throw new GoogleApiError('calendar.events.get', 'failed', 'unexpected answer shape');
      return toEvent(parsed.data);
    },
    async move(id, start, end, timeZone) {
      let data: unknown;
      try {
        // Patch semantics: only start and end change; no invitation mail goes out (sendUpdates defaults to none).
        data = (await (await api()).events.patch({ calendarId: 'primary', eventId: id, requestBody: { start: eventTime(start, timeZone), end: eventTime(end, timeZone) } }, { retry: false })).data;
      } catch (err) {
        throw classifyGoogleError('calendar.events.patch', err);
      }
      const parsed = Item.safeParse(data);
      const event = parsed.success ? toEvent(parsed.data) : undefined;
      if (!event) throw new GoogleApiError('calendar.events.patch', 'failed', 'unexpected answer shape');
      return event;
    },
  };
}
