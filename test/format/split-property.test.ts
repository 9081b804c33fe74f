import { describe, expect, it } from 'vitest';
import {
  htmlToPlainText,
  markdownToTelegramHtml,
  splitPlainText,
  splitTelegramHtml,
  visibleLength,
} from '../../src/channels/telegram/format/index.js';
import { pick, randomMarkdown, seededRandom, telegramHtmlProblems } from './telegram-html.js';

const TEXT_PIECES = [
  'word', 'longerword', ' ', ' ', ' ', '\n', '\n\n', '\t', '&amp;', '&lt;', '&gt;', '&quot;', '&#128512;', '&#x41;',
  '😀', '👍🏽', '👩\u200D💻', 'e\u0301', 'ü', '中文', 'x'.repeat(60),
];
const WRAPPERS: readonly (readonly [string, string])[] = [
  ['<b>', '</b>'],
  ['<i>', '</i>'],
  ['<u>', '</u>'],
  ['<s>', '</s>'],
  ['<span class="tg-spoiler">', '</span>'],
  ['<a href="https://example.com/p?q=1&amp;r=&quot;2&quot;">', '</a>'],
  ['<code>', '</code>'],
  ['<pre><code class="language-ts">', '</code></pre>'],
  ['<blockquote>', '</blockquote>'],
];
const LEAF = new Set(['<code>', '<pre><code class="language-ts">']);

/** Random valid Telegram HTML: nested tags with attributes, entities, emoji. */
function randomHtml(random: () => number, targetLength: number): string {
  let out = '';
  function emit(depth: number, inside: ReadonlySet<string>): void {
    const pieces = 1 + Math.floor(random() * 12);
    for (let k = 0; k < pieces && out.length < targetLength; k++) {
      const canNest = depth < 4 && !inside.has('leaf');
      if (canNest && random() < 0.3) {
        const [open, close] = pick(random, WRAPPERS);
        if ((open === '<blockquote>' && inside.has('quote')) || (open.startsWith('<a ') && inside.has('a'))) continue;
        const next = new Set(inside);
        if (LEAF.has(open)) next.add('leaf');
        if (open === '<blockquote>') next.add('quote');
        if (open.startsWith('<a ')) next.add('a');
        out += open;
        const before = out.length;
        emit(depth + 1, next);
        if (out.length === before) out += 'z';
        out += close;
      } else {
        out += pick(random, TEXT_PIECES);
      }
    }
  }
  while (out.length < targetLength) emit(0, new Set());
  return out;
}

const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * Returns what is wrong with a split, or undefined. Each chunk's text must be
 * a non-empty contiguous slice of the original text, in order, with only
 * whitespace dropped between chunks. (Plain checks, not `expect`, because
 * inputs this size make tens of thousands of chunks.)
 */
function textPreservationProblem(original: string, chunkTexts: readonly string[]): string | undefined {
  let at = 0;
  for (const [k, text] of chunkTexts.entries()) {
    if (text.length === 0) return `chunk ${k} is empty`;
    const found = original.indexOf(text, at);
    if (found < 0) return `chunk ${k} ${JSON.stringify(text.slice(0, 80))} is not a slice of the text after ${at}`;
    if (/\S/u.test(original.slice(at, found))) return `text lost before chunk ${k}: ${JSON.stringify(original.slice(at, found).slice(0, 80))}`;
    at = found + text.length;
  }
  if (/\S/u.test(original.slice(at))) return `text lost after the last chunk`;
  return undefined;
}

function htmlSplitProblem(html: string, limit: number): string | undefined {
  const chunks = splitTelegramHtml(html, limit);
  const original = htmlToPlainText(html);
  const checkSurrogates = !LONE_SURROGATE.test(original);
  for (const [k, chunk] of chunks.entries()) {
    if (visibleLength(chunk) > limit) return `chunk ${k} is ${visibleLength(chunk)} > ${limit}`;
    const problems = telegramHtmlProblems(chunk);
    if (problems.length > 0) return `chunk ${k} ${JSON.stringify(chunk)}: ${problems.join('; ')}`;
    const text = htmlToPlainText(chunk);
    if (checkSurrogates && LONE_SURROGATE.test(text)) return `chunk ${k} splits a surrogate pair`;
    if (/^\n|\s$/u.test(text)) return `chunk ${k} has untrimmed edges: ${JSON.stringify(text)}`;
  }
  return textPreservationProblem(original, chunks.map(htmlToPlainText));
}

describe('splitTelegramHtml on random input', () => {
  it('keeps every chunk within the limit, valid and text-preserving (random HTML up to 50k chars)', () => {
    const random = seededRandom(0xc0ffee);
    for (let n = 0; n < 40; n++) {
      const html = randomHtml(random, 1 + Math.floor(random() * 50_000));
      const limit = pick(random, [2, 3, 7, 64, 500, 4096]);
      expect(htmlSplitProblem(html, limit)).toBeUndefined();
    }
  });

  it('holds for many small random HTML inputs and limits', () => {
    const random = seededRandom(42);
    for (let n = 0; n < 1500; n++) {
      const html = randomHtml(random, Math.floor(random() * 300));
      expect(htmlSplitProblem(html, 2 + Math.floor(random() * 60))).toBeUndefined();
    }
  });

  it('holds for converted random Markdown up to 50k chars', () => {
    const random = seededRandom(31337);
    for (let n = 0; n < 15; n++) {
      const markdown = randomMarkdown(random, 10_000).slice(0, 50_000);
      expect(htmlSplitProblem(markdownToTelegramHtml(markdown), pick(random, [5, 100, 4096]))).toBeUndefined();
    }
  });

  it('fills chunks well: only the last one may be under half the limit when there are no long unbroken runs', () => {
    const random = seededRandom(5);
    const words = ['alpha', 'beta', 'gamma', 'delta', 'ε', '😀'];
    let text = '';
    while (text.length < 20_000) text += pick(random, words) + pick(random, [' ', ' ', ' ', '\n', '\n\n']);
    const chunks = splitTelegramHtml(text, 300);
    for (const chunk of chunks.slice(0, -1)) expect(visibleLength(chunk)).toBeGreaterThanOrEqual(150);
  });
});

describe('splitPlainText on random input', () => {
  it('keeps every chunk within the limit and preserves the text', () => {
    const random = seededRandom(8);
    for (let n = 0; n < 30; n++) {
      let text = '';
      const length = Math.floor(random() * 50_000);
      while (text.length < length) text += pick(random, ['<b>', '&amp;', 'word', ' ', '\n', '\n\n', '😀', 'é', 'x'.repeat(40)]);
      const limit = pick(random, [2, 9, 333, 4096]);
      const chunks = splitPlainText(text, limit);
      expect(chunks.filter((chunk) => chunk.length > limit)).toEqual([]);
      expect(chunks.filter((chunk) => LONE_SURROGATE.test(chunk))).toEqual([]);
      expect(textPreservationProblem(text, chunks)).toBeUndefined();
    }
  });
});
