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

const Time = z.object({ dateTime: z.string().optional(), date: z.string().optional() });
const Events = z.object({
  nextPageToken: z.string().optional(),
  items: z.array(z.object({ id: z.string(), status: z.string().optional(), summary: z.string().optional(), start: Time, end: Time })).default([]),
});

export function createGoogleCalendarSource(session: GoogleSession, apiRoot: string): CalendarSource {
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
          if (item.status === 'cancelled') continue;
          const title = item.summary?.trim() || '(no title)';
          if (item.start.date && item.end.date) out.push({ id: item.id, title, allDay: true, startDate: item.start.date, endDate: item.end.date });
          else if (item.start.dateTime && item.end.dateTime) out.push({ id: item.id, title, allDay: false, start: new Date(item.start.dateTime), end: new Date(item.end.dateTime) });
        }
        pageToken = parsed.data.nextPageToken;
      } while (pageToken);
      return out;
    },
  };
}
