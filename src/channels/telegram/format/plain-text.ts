import { tokenizeHtml } from './html-tokens.js';

/**
 * The text Telegram would display for this HTML: tags dropped, entities
 * decoded. Used for the plain-text fallback when Telegram rejects entities.
 */
export function htmlToPlainText(html: string): string {
  let out = '';
  for (const token of tokenizeHtml(html)) {
    if (token.type === 'char') out += token.text;
  }
  return out;
}

/**
 * Length of the displayed text in UTF-16 code units, which is how Telegram
 * counts the 4096 limit (an emoji outside the BMP counts 2).
 */
export function visibleLength(html: string): number {
  let length = 0;
  for (const token of tokenizeHtml(html)) {
    if (token.type === 'char') length += token.text.length;
  }
  return length;
}
