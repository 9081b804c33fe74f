import { describe, expect, it } from 'vitest';
import {
  htmlToPlainText,
  renderForTelegram,
  splitPlainText,
  splitTelegramHtml,
  visibleLength,
} from '../../src/channels/telegram/format/index.js';
import { telegramHtmlProblems } from './telegram-html.js';

describe('splitTelegramHtml: boundaries', () => {
  it('returns short text as one chunk', () => {
    expect(splitTelegramHtml('<b>short</b> text', 4096)).toEqual(['<b>short</b> text']);
  });

  it('returns no chunks for empty or whitespace-only input', () => {
    expect(splitTelegramHtml('', 10)).toEqual([]);
    expect(splitTelegramHtml(' \n\n <b> </b>\n', 10)).toEqual([]);
  });

  it('prefers a paragraph break over later line and word breaks', () => {
    const html = 'aaaa bbbb\ncccc\n\ndddd eeee\nffff gggg';
    expect(splitTelegramHtml(html, 22)).toEqual(['aaaa bbbb\ncccc', 'dddd eeee\nffff gggg']);
  });

  it('prefers a line break when there is no paragraph break', () => {
    expect(splitTelegramHtml('aaaa bbbb cccc\ndddd eeee', 20)).toEqual(['aaaa bbbb cccc', 'dddd eeee']);
  });

  it('prefers a word break when there is no line break', () => {
    expect(splitTelegramHtml('aaaa bbbb cccc dddd', 12)).toEqual(['aaaa bbbb', 'cccc dddd']);
  });

  it('ignores a paragraph break that would leave the chunk under half full', () => {
    expect(splitTelegramHtml('aa\n\nbbbb cccc dddd eeee', 16)).toEqual(['aa\n\nbbbb cccc', 'dddd eeee']);
  });

  it('hard-splits a word longer than the limit', () => {
    expect(splitTelegramHtml('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('splits at a break exactly at the limit', () => {
    expect(splitTelegramHtml('abcd efgh', 4)).toEqual(['abcd', 'efgh']);
  });
});

describe('splitTelegramHtml: tags', () => {
  it('closes open tags and re-opens them with their attributes', () => {
    const html = '<a href="https://example.com/?a=1&amp;b=2"><b>one two</b> three four</a> end';
    const chunks = splitTelegramHtml(html, 9);
    expect(chunks).toEqual([
      '<a href="https://example.com/?a=1&amp;b=2"><b>one two</b></a>',
      '<a href="https://example.com/?a=1&amp;b=2">three</a>',
      '<a href="https://example.com/?a=1&amp;b=2">four</a> end',
    ]);
  });

  it('re-opens a code block with its language class', () => {
    const html = '<pre><code class="language-ts">line one\nline two\nline three</code></pre>';
    expect(splitTelegramHtml(html, 18)).toEqual([
      '<pre><code class="language-ts">line one\nline two</code></pre>',
      '<pre><code class="language-ts">line three</code></pre>',
    ]);
  });

  it('keeps indentation at the start of a continued code block', () => {
    const html = '<pre>def f():\n    return 1</pre>';
    expect(splitTelegramHtml(html, 12)).toEqual(['<pre>def f():</pre>', '<pre>    return 1</pre>']);
  });

  it('re-opens nested formatting and blockquotes', () => {
    const chunks = splitTelegramHtml('<blockquote>quote <i>italic <s>struck words</s></i></blockquote>', 14);
    expect(chunks).toEqual([
      '<blockquote>quote <i>italic</i></blockquote>',
      '<blockquote><i><s>struck words</s></i></blockquote>',
    ]);
  });

  it('never emits an element emptied by the split', () => {
    const chunks = splitTelegramHtml('aaaa <b>bbbb</b>', 4);
    expect(chunks).toEqual(['aaaa', '<b>bbbb</b>']);
  });
});

describe('splitTelegramHtml: entities and code points', () => {
  it('counts an entity as one character and never splits it', () => {
    const chunks = splitTelegramHtml('&amp;&lt;&gt;&quot;&amp;', 2);
    expect(chunks).toEqual(['&amp;&lt;', '&gt;&quot;', '&amp;']);
  });

  it('never splits a surrogate pair, even when the limit falls inside it', () => {
    const chunks = splitTelegramHtml('a😀😀😀', 4);
    expect(chunks).toEqual(['a😀', '😀😀']);
    for (const chunk of chunks) expect(chunk).not.toMatch(/[\uD800-\uDFFF]/u);
  });

  it('keeps a numeric entity for an astral emoji whole (it counts 2)', () => {
    expect(splitTelegramHtml('x&#128512;&#128512;', 3)).toEqual(['x&#128512;', '&#128512;']);
  });

  it('keeps combining marks and ZWJ sequences with their base on a hard split', () => {
    expect(splitTelegramHtml('abcde\u0301fg', 5)).toEqual(['abcd', 'e\u0301fg']);
    expect(splitTelegramHtml('ab👩\u200D💻', 5)).toEqual(['ab', '👩\u200D💻']);
  });

  it('counts visible length in UTF-16 units', () => {
    const chunks = splitTelegramHtml('😀'.repeat(10), 5);
    for (const chunk of chunks) expect(visibleLength(chunk)).toBeLessThanOrEqual(5);
    expect(chunks.join('')).toBe('😀'.repeat(10));
  });

  it('rejects a limit that cannot hold one code point', () => {
    expect(() => splitTelegramHtml('abc', 1)).toThrow(RangeError);
    expect(() => splitPlainText('abc', 0)).toThrow(RangeError);
  });
});

describe('splitPlainText', () => {
  it('splits like the HTML splitter but treats markup as text', () => {
    expect(splitPlainText('<b> &amp; </b>', 6)).toEqual(['<b>', '&amp;', '</b>']);
  });

  it('uses the same boundary preference', () => {
    expect(splitPlainText('one two\nthree\n\nfour five', 15)).toEqual(['one two\nthree', 'four five']);
  });
});

describe('renderForTelegram', () => {
  it('converts, splits and pairs each chunk with its plain text', () => {
    const markdown = `# Report\n\n${'- item with **bold** & more\n'.repeat(200)}`;
    const { html, plain } = renderForTelegram(markdown, 500);
    expect(html.length).toBeGreaterThan(1);
    expect(plain).toHaveLength(html.length);
    html.forEach((chunk, k) => {
      expect(telegramHtmlProblems(chunk)).toEqual([]);
      expect(visibleLength(chunk)).toBeLessThanOrEqual(500);
      expect(plain[k]).toBe(htmlToPlainText(chunk));
    });
    expect(plain[0]?.startsWith('Report\n\n• item with bold & more')).toBe(true);
  });

  it('uses the 4096 default', () => {
    const { html } = renderForTelegram('word '.repeat(2000));
    expect(html).toHaveLength(3);
    for (const chunk of html) expect(visibleLength(chunk)).toBeLessThanOrEqual(4096);
  });

  it('returns nothing to send for blank input', () => {
    expect(renderForTelegram('  \n ')).toEqual({ html: [], plain: [] });
  });
});
