/**
 * A flat view of Telegram HTML: tags, and one token per visible code point.
 * Entities become a single token whose `text` is what Telegram displays, so
 * splitting at token boundaries can never cut an entity or a surrogate pair.
 */
export type HtmlToken =
  | { readonly type: 'open'; readonly name: string; readonly raw: string }
  | { readonly type: 'close'; readonly name: string; readonly raw: string }
  | { readonly type: 'char'; readonly raw: string; readonly text: string };

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)([^<>]*)>/y;
// Telegram accepts every numeric entity but only these four named ones.
const ENTITY = /&(?:#([0-9]{1,8})|#[xX]([0-9a-fA-F]{1,8})|(lt|gt|amp|quot));/y;
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function decodeCodePoint(cp: number): string {
  const valid = cp > 0 && cp <= 0x10ffff && (cp < 0xd800 || cp > 0xdfff);
  return valid ? String.fromCodePoint(cp) : '\uFFFD';
}

function charLength(text: string, i: number): number {
  const cp = text.codePointAt(i) ?? 0;
  return cp > 0xffff ? 2 : 1;
}

/**
 * Tokenizes Telegram HTML. Input that is not a well-formed tag or a supported
 * entity (a stray `<` or `&`) is treated as literal text, which over-counts
 * rather than under-counts visible length. Never throws.
 */
export function tokenizeHtml(html: string): HtmlToken[] {
  const tokens: HtmlToken[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i];
    if (ch === '<') {
      TAG.lastIndex = i;
      const m = TAG.exec(html);
      if (m) {
        const name = (m[2] ?? '').toLowerCase();
        tokens.push({ type: m[1] === '/' ? 'close' : 'open', name, raw: m[0] });
        i += m[0].length;
        continue;
      }
    } else if (ch === '&') {
      ENTITY.lastIndex = i;
      const m = ENTITY.exec(html);
      if (m) {
        let text: string;
        if (m[1] !== undefined) text = decodeCodePoint(Number.parseInt(m[1], 10));
        else if (m[2] !== undefined) text = decodeCodePoint(Number.parseInt(m[2], 16));
        else text = NAMED[m[3] ?? ''] ?? '';
        tokens.push({ type: 'char', raw: m[0], text });
        i += m[0].length;
        continue;
      }
    }
    const len = charLength(html, i);
    const text = html.slice(i, i + len);
    tokens.push({ type: 'char', raw: text, text });
    i += len;
  }
  return tokens;
}

/** One char token per code point; `raw` is the text itself (nothing is markup). */
export function tokenizePlain(text: string): HtmlToken[] {
  const tokens: HtmlToken[] = [];
  let i = 0;
  while (i < text.length) {
    const len = charLength(text, i);
    const piece = text.slice(i, i + len);
    tokens.push({ type: 'char', raw: piece, text: piece });
    i += len;
  }
  return tokens;
}
