import type { HtmlToken } from './html-tokens.js';

interface OpenTag {
  readonly name: string;
  readonly raw: string;
}

type BreakKind = 'paragraph' | 'line' | 'word';
const PREFERENCE: readonly BreakKind[] = ['paragraph', 'line', 'word'];

/** Tags inside which leading spaces are content (code indentation), not layout. */
const KEEPS_INDENT = new Set(['pre', 'code']);
const WHITESPACE = /^\s$/u;
// Marks that attach to the previous code point; a hard split should not orphan them.
const ATTACHES_TO_PREVIOUS = /^(?:\p{M}|\p{Emoji_Modifier}|\u200D|[\u{E0020}-\u{E007F}])$/u;
const MAX_GRAPHEME_BACKOFF = 16;

function isWhitespace(token: HtmlToken): boolean {
  return token.type === 'char' && WHITESPACE.test(token.text);
}

function applyTag(stack: OpenTag[], token: HtmlToken): void {
  if (token.type === 'open') {
    stack.push({ name: token.name, raw: token.raw });
  } else if (token.type === 'close') {
    for (let k = stack.length - 1; k >= 0; k--) {
      if (stack[k]?.name === token.name) {
        stack.length = k;
        break;
      }
    }
  }
}

function skippableAtStart(token: HtmlToken, stack: readonly OpenTag[]): boolean {
  if (!isWhitespace(token) || token.type !== 'char') return false;
  if (token.text === '\n' || token.text === '\r') return true;
  return !stack.some((tag) => KEEPS_INDENT.has(tag.name));
}

/** Serializes a chunk, dropping elements left empty by the split (`<b></b>`). */
function serialize(parts: readonly HtmlToken[]): string {
  const out: string[] = [];
  const openAt: number[] = [];
  for (const token of parts) {
    if (token.type === 'open') {
      openAt.push(out.length);
      out.push(token.raw);
    } else if (token.type === 'close') {
      const at = openAt.pop();
      if (at !== undefined && at === out.length - 1) out.pop();
      else out.push(token.raw);
    } else {
      out.push(token.raw);
    }
  }
  return out.join('');
}

interface Window {
  /** Index of the first token that no longer fits, or tokens.length. */
  end: number;
  best: Partial<Record<BreakKind, { at: number; offset: number }>>;
}

function scanWindow(tokens: readonly HtmlToken[], start: number, limit: number): Window {
  const best: Window['best'] = {};
  let used = 0;
  let lineHasContent = true;
  let sawNewline = false;
  let i = start;
  for (; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === undefined || token.type !== 'char') continue;
    if (used + token.text.length > limit) break;
    if (i > start && WHITESPACE.test(token.text)) {
      if (token.text === '\n') {
        const kind: BreakKind = !lineHasContent && sawNewline ? 'paragraph' : 'line';
        best[kind] = { at: i, offset: used };
        sawNewline = true;
        lineHasContent = false;
      } else {
        best.word = { at: i, offset: used };
      }
    } else if (!WHITESPACE.test(token.text)) {
      lineHasContent = true;
    }
    used += token.text.length;
  }
  // A whitespace token that does not fit is still a fine place to break.
  const next = tokens[i];
  if (i < tokens.length && next !== undefined && next.type === 'char' && WHITESPACE.test(next.text)) {
    const kind: BreakKind = next.text === '\n' ? (!lineHasContent && sawNewline ? 'paragraph' : 'line') : 'word';
    best[kind] = { at: i, offset: used };
  }
  return { end: i, best };
}

function chooseBreak(tokens: readonly HtmlToken[], start: number, limit: number, window: Window): number {
  for (const kind of PREFERENCE) {
    const candidate = window.best[kind];
    if (candidate && candidate.offset * 2 >= limit) return candidate.at;
  }
  for (const kind of PREFERENCE) {
    const candidate = window.best[kind];
    if (candidate) return candidate.at;
  }
  // Hard split between code points; step back so combining marks, ZWJ
  // sequences and skin-tone modifiers stay with their base when possible.
  let at = window.end;
  for (let step = 0; step < MAX_GRAPHEME_BACKOFF && at > start + 1; step++) {
    const here = tokens[at];
    const before = tokens[at - 1];
    const attaches = here?.type === 'char' && ATTACHES_TO_PREVIOUS.test(here.text);
    const afterJoiner = before?.type === 'char' && before.text === '\u200D';
    if (!attaches && !afterJoiner) break;
    at--;
  }
  return at;
}

/**
 * Splits a token stream into serialized chunks whose visible text is at most
 * `limit` UTF-16 code units. Tags open at a split are closed at the end of the
 * chunk and re-opened, attributes intact, at the start of the next.
 */
export function splitTokens(tokens: readonly HtmlToken[], limit: number): string[] {
  if (!Number.isInteger(limit) || limit < 2) {
    throw new RangeError(`split limit must be an integer >= 2 (a code point can take 2 units), got ${limit}`);
  }
  const chunks: string[] = [];
  const stack: OpenTag[] = [];
  let start = 0;
  while (start < tokens.length) {
    // Leading whitespace and tags before the first visible character: tags go
    // onto the stack (so they are re-opened below), whitespace is dropped.
    let first = start;
    for (; first < tokens.length; first++) {
      const token = tokens[first];
      if (token === undefined) break;
      if (token.type === 'char') {
        if (!skippableAtStart(token, stack)) break;
      } else {
        applyTag(stack, token);
      }
    }
    if (first >= tokens.length) break;

    const window = scanWindow(tokens, first, limit);
    const end = window.end >= tokens.length ? tokens.length : chooseBreak(tokens, first, limit, window);

    const parts: HtmlToken[] = stack.map((tag) => ({ type: 'open', name: tag.name, raw: tag.raw }));
    const body = tokens.slice(first, end);
    let lastVisible = body.length - 1;
    while (lastVisible >= 0) {
      const token = body[lastVisible];
      if (token !== undefined && token.type === 'char' && !isWhitespace(token)) break;
      lastVisible--;
    }
    for (let k = 0; k < body.length; k++) {
      const token = body[k];
      if (token === undefined) continue;
      applyTag(stack, token);
      if (token.type === 'char' && k > lastVisible) continue;
      parts.push(token);
    }
    for (let k = stack.length - 1; k >= 0; k--) {
      const tag = stack[k];
      if (tag) parts.push({ type: 'close', name: tag.name, raw: `</${tag.name}>` });
    }
    if (lastVisible >= 0) chunks.push(serialize(parts));
    start = end;
  }
  return chunks;
}
