/**
 * CommonMark-style delimiter matching for `*`, `_` and `~~`, simplified for
 * chat text. Matching follows a stack discipline, so the tags it produces are
 * always properly nested; unmatched delimiters stay literal text.
 */
export type DelimiterChar = '*' | '_' | '~';

export interface Delimiter {
  readonly ch: DelimiterChar;
  readonly length: number;
  readonly canOpen: boolean;
  readonly canClose: boolean;
  /** Characters still literal after matching. */
  remaining: number;
  /** Tags emitted after the literal remainder, outermost first. */
  readonly opens: string[];
  /** Tags emitted before the literal remainder, innermost first. */
  readonly closes: string[];
}

const WHITESPACE = /^\s$/u;
const PUNCTUATION = /^[\p{P}\p{S}]$/u;
const DIGIT = /^[0-9]$/;

/**
 * Classifies a run of `length` delimiter chars between `before` and `after`
 * (single code points; a space stands for the start or end of the text).
 * Unlike CommonMark, `*` and `_` never emphasise inside a word (`snake_case`,
 * `2*3*4`); `**` may, unless a digit touches it (`2**3`), so `这是**重要**的` works.
 */
export function classifyRun(ch: DelimiterChar, length: number, before: string, after: string): Delimiter {
  const beforeSpace = WHITESPACE.test(before);
  const afterSpace = WHITESPACE.test(after);
  const beforePunct = PUNCTUATION.test(before);
  const afterPunct = PUNCTUATION.test(after);
  const left = !afterSpace && (!afterPunct || beforeSpace || beforePunct);
  const right = !beforeSpace && (!beforePunct || afterSpace || afterPunct);
  let canOpen: boolean;
  let canClose: boolean;
  if (ch === '~') {
    canOpen = length === 2 && left;
    canClose = length === 2 && right;
  } else if (ch === '*' && length >= 2) {
    const touchesDigit = DIGIT.test(before) || DIGIT.test(after);
    const intraword = left && right;
    canOpen = left && !(intraword && touchesDigit);
    canClose = right && !(intraword && touchesDigit);
  } else {
    canOpen = left && (!right || beforePunct);
    canClose = right && (!left || afterPunct);
  }
  return { ch, length, canOpen, canClose, remaining: length, opens: [], closes: [] };
}

function tagFor(ch: DelimiterChar, used: number): string {
  if (ch === '~') return 's';
  return used === 2 ? 'b' : 'i';
}

/**
 * Pairs openers with closers in place (filling `opens`/`closes`, lowering
 * `remaining`). Linear-ish: a doubly linked list plus per-kind "openers
 * bottom" marks keep adversarial input from going quadratic.
 */
export function matchDelimiters(delims: readonly Delimiter[]): void {
  const n = delims.length;
  const prev = new Int32Array(n);
  const next = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    prev[k] = k - 1;
    next[k] = k + 1 < n ? k + 1 : -1;
  }
  const remove = (k: number): void => {
    const p = prev[k] ?? -1;
    const q = next[k] ?? -1;
    if (p >= 0) next[p] = q;
    if (q >= 0) prev[q] = p;
  };
  const bottoms = new Map<string, number>();

  let closerIdx = n > 0 ? 0 : -1;
  while (closerIdx >= 0) {
    const closer = delims[closerIdx];
    if (closer === undefined) break;
    if (!closer.canClose || closer.remaining === 0) {
      closerIdx = next[closerIdx] ?? -1;
      continue;
    }
    const key = `${closer.ch}${closer.length % 3}${closer.canOpen ? 1 : 0}`;
    const bottom = bottoms.get(key) ?? -1;
    let openerIdx = prev[closerIdx] ?? -1;
    let found = -1;
    while (openerIdx > bottom) {
      const opener = delims[openerIdx];
      if (opener && opener.ch === closer.ch && opener.canOpen && opener.remaining > 0) {
        const ruleOfThree =
          opener.ch !== '~' &&
          (opener.canClose || closer.canOpen) &&
          (opener.length + closer.length) % 3 === 0 &&
          !(opener.length % 3 === 0 && closer.length % 3 === 0);
        if (!ruleOfThree) {
          found = openerIdx;
          break;
        }
      }
      openerIdx = prev[openerIdx] ?? -1;
    }
    const opener = found >= 0 ? delims[found] : undefined;
    if (opener === undefined) {
      bottoms.set(key, prev[closerIdx] ?? -1);
      const after = next[closerIdx] ?? -1;
      if (!closer.canOpen) remove(closerIdx);
      closerIdx = after;
      continue;
    }
    const used = closer.ch === '~' ? 2 : opener.remaining >= 2 && closer.remaining >= 2 ? 2 : 1;
    const tag = tagFor(closer.ch, used);
    opener.opens.unshift(`<${tag}>`);
    closer.closes.push(`</${tag}>`);
    opener.remaining -= used;
    closer.remaining -= used;
    // Delimiters strictly between the pair can no longer match anything.
    let between = next[found] ?? -1;
    while (between >= 0 && between !== closerIdx) {
      const following = next[between] ?? -1;
      remove(between);
      between = following;
    }
    if (opener.remaining === 0) remove(found);
    if (closer.remaining === 0) {
      const after = next[closerIdx] ?? -1;
      remove(closerIdx);
      closerIdx = after;
    }
  }
}
