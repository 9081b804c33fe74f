import { escapeHtml } from '../channels/telegram/format/index.js';
import type { Memory } from './memories-repo.js';

/** `YYYY-MM-DD` in the owner's time zone. */
export function memoryDate(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/** At most `max` characters, cut at a word when possible, with an ellipsis. */
export function clipText(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${space > max * 0.6 ? cut.slice(0, space) : cut}…`;
}

/** The first 8 characters of the id: enough for /forget, short enough to read. */
export function shortId(id: string): string {
  return id.slice(0, 8);
}

/** Shown next to a memory the embedding model has not embedded yet. */
export const NOT_SEARCHABLE_YET = 'not searchable yet';

/** One memory as an HTML line: date, source, short id (and "not searchable yet"), text. */
export function memoryLineHtml(memory: Memory, timeZone: string, maxText = 300): string {
  const waiting = memory.searchable ? '' : ` · <i>${NOT_SEARCHABLE_YET}</i>`;
  return `${memoryDate(memory.createdAt, timeZone)} · ${memory.source} · <code>${shortId(memory.id)}</code>${waiting}\n${escapeHtml(clipText(memory.text, maxText))}`;
}
