import { markdownToTelegramHtml } from './markdown-to-html.js';
import { htmlToPlainText } from './plain-text.js';
import { splitTelegramHtml, TELEGRAM_MESSAGE_LIMIT } from './split.js';

export interface TelegramRender {
  /** Chunks to send with parse_mode HTML, in order. */
  readonly html: string[];
  /** `plain[i]` is the text of `html[i]` without markup, for the fallback. */
  readonly plain: string[];
}

/**
 * Markdown → Telegram HTML chunks, each at most `limit` visible UTF-16 units,
 * plus a plain-text twin per chunk: when Telegram rejects `html[i]` with an
 * entity parse error (see isEntityParseError), send `plain[i]` instead.
 * Blank input gives empty arrays. Throws RangeError when `limit` < 2.
 */
export function renderForTelegram(markdown: string, limit: number = TELEGRAM_MESSAGE_LIMIT): TelegramRender {
  const html = splitTelegramHtml(markdownToTelegramHtml(markdown), limit);
  return { html, plain: html.map(htmlToPlainText) };
}
