import { tokenizeHtml, tokenizePlain } from './html-tokens.js';
import { splitTokens } from './split-tokens.js';

/** Telegram's limit for a text message, in UTF-16 code units after entity parsing. */
export const TELEGRAM_MESSAGE_LIMIT = 4096;

/**
 * Splits Telegram HTML into chunks whose visible text is at most `limit`
 * UTF-16 code units. Prefers a blank line, then a line break, then a space
 * (each only if it leaves the chunk at least half full, else the best one
 * found), then a hard split between code points — never inside an entity or
 * a surrogate pair. Tags open at a split are closed and re-opened with the
 * same attributes. Whitespace at split points is trimmed (indentation inside
 * `<pre>`/`<code>` is kept); no chunk is empty, so blank input gives `[]`.
 * Throws RangeError when `limit` < 2.
 */
export function splitTelegramHtml(html: string, limit: number = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitTokens(tokenizeHtml(html), limit);
}

/** The same splitting for plain text (no markup, nothing unescaped). */
export function splitPlainText(text: string, limit: number = TELEGRAM_MESSAGE_LIMIT): string[] {
  return splitTokens(tokenizePlain(text), limit);
}
