import { escapeHtml } from './escape.js';

/** Schemes a link may carry; anything else (javascript:, data:, file:) stays text. */
const SAFE_HREF = /^(?:https?:\/\/|tg:\/\/|mailto:)/i;
const MAX_URL_LENGTH = 2048;
const AUTOLINK = /<((?:https?:\/\/|tg:\/\/|mailto:)[^\s<>]{1,2048})>/iy;

export function isSafeHref(url: string): boolean {
  return SAFE_HREF.test(url) && ![...url].some((ch) => /\s/.test(ch) || (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f');
}

export function linkHtml(url: string, labelHtml: string): string {
  const label = /\S/.test(labelHtml) ? labelHtml : escapeHtml(url);
  return `<a href="${escapeHtml(url)}">${label}</a>`;
}

export interface LinkTarget {
  readonly url: string;
  /** Index just past the closing `)`. */
  readonly end: number;
}

/**
 * Parses `(url)` or `(url "title")` starting at `open` (the `(`). The title is
 * dropped. Returns undefined when the destination is malformed or too long.
 */
export function parseLinkTarget(s: string, open: number): LinkTarget | undefined {
  let i = open + 1;
  while (s[i] === ' ' || s[i] === '\t') i++;
  let url: string;
  if (s[i] === '<') {
    const close = s.indexOf('>', i + 1);
    if (close < 0 || close - i > MAX_URL_LENGTH) return undefined;
    url = s.slice(i + 1, close);
    if (/[<\n]/.test(url)) return undefined;
    i = close + 1;
  } else {
    const startUrl = i;
    let depth = 0;
    for (; i < s.length && i - startUrl <= MAX_URL_LENGTH; i++) {
      const ch = s[i];
      if (ch === undefined || /\s/.test(ch)) break;
      if (ch === '(') depth++;
      else if (ch === ')') {
        if (depth === 0) break;
        depth--;
      }
    }
    if (i - startUrl > MAX_URL_LENGTH) return undefined;
    url = s.slice(startUrl, i);
  }
  while (s[i] === ' ' || s[i] === '\t') i++;
  const quote = s[i];
  if (quote === '"' || quote === "'") {
    const close = s.indexOf(quote, i + 1);
    if (close < 0 || close - i > MAX_URL_LENGTH) return undefined;
    i = close + 1;
    while (s[i] === ' ' || s[i] === '\t') i++;
  }
  if (s[i] !== ')' || url.length === 0) return undefined;
  return { url, end: i + 1 };
}

/** `<https://…>` autolinks; returns the html and the index past `>`. */
export function parseAutolink(s: string, at: number): { html: string; end: number } | undefined {
  AUTOLINK.lastIndex = at;
  const m = AUTOLINK.exec(s);
  const url = m?.[1];
  if (!m || url === undefined || !isSafeHref(url)) return undefined;
  return { html: linkHtml(url, escapeHtml(url)), end: at + m[0].length };
}
