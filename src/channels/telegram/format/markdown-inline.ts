import { classifyRun, matchDelimiters, type Delimiter, type DelimiterChar } from './emphasis.js';
import { escapeHtml } from './escape.js';
import { isSafeHref, linkHtml, parseAutolink, parseLinkTarget } from './markdown-link.js';

interface InlineOptions {
  /** False inside a link label: Telegram forbids links in links and code in links. */
  readonly inLink: boolean;
}

type Piece = { readonly kind: 'html'; readonly html: string } | { readonly kind: 'delim'; readonly delim: Delimiter };

const ASCII_PUNCTUATION = /^[!-/:-@[-`{-~]$/;
const SPECIAL = /[\\`[\]!<*_~]/g;

function codePointBefore(s: string, i: number): string {
  if (i <= 0) return ' ';
  const low = s.charCodeAt(i - 1);
  if (low >= 0xdc00 && low <= 0xdfff && i >= 2) return s.slice(i - 2, i);
  return s.slice(i - 1, i);
}

function codePointAt(s: string, i: number): string {
  if (i >= s.length) return ' ';
  const cp = s.codePointAt(i) ?? 0x20;
  return String.fromCodePoint(cp);
}

function runLength(s: string, i: number, ch: string): number {
  let k = i;
  while (s[k] === ch) k++;
  return k - i;
}

/** Start positions of maximal backtick runs, grouped by run length (ascending). */
function backtickRuns(s: string): Map<number, number[]> {
  const runs = new Map<number, number[]>();
  for (let i = 0; i < s.length; ) {
    if (s[i] !== '`') {
      i++;
      continue;
    }
    const len = runLength(s, i, '`');
    const list = runs.get(len) ?? [];
    list.push(i);
    runs.set(len, list);
    i += len;
  }
  return runs;
}

function firstAtOrAfter(list: readonly number[], from: number): number | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] ?? 0) < from) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

/** Matching `]` for every unescaped `[`, found in one pass. */
function bracketPairs(s: string): Map<number, number> {
  const pairs = new Map<number, number>();
  const stack: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\') i++;
    else if (ch === '[') stack.push(i);
    else if (ch === ']') {
      const open = stack.pop();
      if (open !== undefined) pairs.set(open, i);
    }
  }
  return pairs;
}

function codeSpanHtml(content: string, options: InlineOptions): string | undefined {
  let text = content.replace(/\n/g, ' ');
  if (text.length >= 2 && text.startsWith(' ') && text.endsWith(' ') && /\S/.test(text)) {
    text = text.slice(1, -1);
  }
  if (!/\S/.test(text)) return undefined;
  return options.inLink ? escapeHtml(text) : `<code>${escapeHtml(text)}</code>`;
}

/**
 * Renders one line (or label) of Markdown inline syntax to Telegram HTML.
 * Everything that is not recognised syntax is escaped text, so the output is
 * valid and balanced for any input.
 */
export function renderInline(s: string, options: InlineOptions = { inLink: false }): string {
  const pieces: Piece[] = [];
  const runs = backtickRuns(s);
  const brackets = bracketPairs(s);
  let text = '';
  const flush = (): void => {
    if (text !== '') pieces.push({ kind: 'html', html: escapeHtml(text) });
    text = '';
  };
  const pushHtml = (html: string): void => {
    flush();
    pieces.push({ kind: 'html', html });
  };

  let i = 0;
  while (i < s.length) {
    const ch = s[i] ?? '';
    if (ch === '\\' && ASCII_PUNCTUATION.test(s[i + 1] ?? '')) {
      text += s[i + 1];
      i += 2;
      continue;
    }
    if (ch === '`') {
      const len = runLength(s, i, '`');
      const close = firstAtOrAfter(runs.get(len) ?? [], i + len);
      const html = close === undefined ? undefined : codeSpanHtml(s.slice(i + len, close), options);
      if (close !== undefined && html !== undefined) {
        pushHtml(html);
        i = close + len;
      } else {
        text += '`'.repeat(len);
        i += len;
      }
      continue;
    }
    if (!options.inLink && (ch === '[' || (ch === '!' && s[i + 1] === '['))) {
      const open = ch === '!' ? i + 1 : i;
      const close = brackets.get(open);
      const target = close !== undefined && s[close + 1] === '(' ? parseLinkTarget(s, close + 1) : undefined;
      if (close !== undefined && target && isSafeHref(target.url)) {
        pushHtml(linkHtml(target.url, renderInline(s.slice(open + 1, close), { inLink: true })));
        i = target.end;
        continue;
      }
      text += ch;
      i++;
      continue;
    }
    if (!options.inLink && ch === '<') {
      const autolink = parseAutolink(s, i);
      if (autolink) {
        pushHtml(autolink.html);
        i = autolink.end;
        continue;
      }
    }
    if (ch === '*' || ch === '_' || ch === '~') {
      const delimCh: DelimiterChar = ch;
      const len = runLength(s, i, ch);
      flush();
      pieces.push({
        kind: 'delim',
        delim: classifyRun(delimCh, len, codePointBefore(s, i), codePointAt(s, i + len)),
      });
      i += len;
      continue;
    }
    SPECIAL.lastIndex = i + 1;
    const nextSpecial = SPECIAL.exec(s);
    const stop = nextSpecial ? nextSpecial.index : s.length;
    text += s.slice(i, stop);
    i = stop;
  }
  flush();

  const delims: Delimiter[] = [];
  for (const piece of pieces) if (piece.kind === 'delim') delims.push(piece.delim);
  matchDelimiters(delims);

  let out = '';
  for (const piece of pieces) {
    if (piece.kind === 'html') {
      out += piece.html;
    } else {
      const { delim } = piece;
      out += delim.closes.join('') + escapeHtml(delim.ch.repeat(delim.remaining)) + delim.opens.join('');
    }
  }
  return out;
}
