export const GMAIL_READONLY = 'https://www.googleapis.com/auth/gmail.readonly';
export const CALENDAR_READONLY = 'https://www.googleapis.com/auth/calendar.readonly';
/** Read and write of events only (narrower than the full calendar scope). */
export const CALENDAR_EVENTS = 'https://www.googleapis.com/auth/calendar.events';

/** The scopes openzero asks for: read-only, plus event write only when GOOGLE_CALENDAR_WRITE is on. */
export function requestedScopes(calendarWrite: boolean): string[] {
  return calendarWrite ? [GMAIL_READONLY, CALENDAR_READONLY, CALENDAR_EVENTS] : [GMAIL_READONLY, CALENDAR_READONLY];
}
