import { describe, expect, it } from 'vitest';
import {
  escapeHtml,
  markdownToTelegramHtml,
  splitTelegramHtml,
  visibleLength,
} from '../../src/channels/telegram/format/index.js';
import { CONVERTER_TAGS, pick, randomMarkdown, seededRandom, telegramHtmlProblems } from './telegram-html.js';

describe('markdownToTelegramHtml on adversarial input', () => {
  it('always yields balanced HTML using only supported tags (3000 seeded random inputs)', () => {
    const random = seededRandom(0x5eed);
    for (let n = 0; n < 3000; n++) {
      const input = randomMarkdown(random, 80);
      const html = markdownToTelegramHtml(input);
      const problems = telegramHtmlProblems(html, CONVERTER_TAGS);
      if (problems.length > 0) throw new Error(`input ${JSON.stringify(input)} gave ${html}: ${problems.join('; ')}`);
    }
  });

  it('stays valid for long inputs built from a few repeated characters', () => {
    const random = seededRandom(7);
    const alphabets = ['*_ a', '[]()h', '`~ \n', '*a*b_', '> *\n-', '<&>"'];
    for (let n = 0; n < 60; n++) {
      const alphabet = pick(random, alphabets);
      let input = '';
      const length = 500 + Math.floor(random() * 4000);
      for (let k = 0; k < length; k++) input += pick(random, [...alphabet]);
      expect(telegramHtmlProblems(markdownToTelegramHtml(input), CONVERTER_TAGS)).toEqual([]);
    }
  });

  it.each([
    ['emphasis storm', '*_'.repeat(20_000)],
    ['bracket storm', '['.repeat(20_000) + ']('.repeat(10_000)],
    ['backtick storm', '`a``b```c'.repeat(5_000)],
    ['opener storm', '**a '.repeat(20_000)],
    ['link prefix storm', '[a](http://x'.repeat(5_000)],
    ['long heading of spaces', `# ${' '.repeat(30_000)}x`],
    ['heading of hashes', `# ${'# '.repeat(15_000)}`],
    ['blank quote lines', `> a\n${'>\n'.repeat(20_000)}> b`],
    ['blank lines in a fence', `\`\`\`\na${'\n'.repeat(30_000)}b\n\`\`\``],
    ['long rule-like line', `${'- '.repeat(20_000)}x`],
    ['unclosed tag-like text', `<a${' x'.repeat(20_000)}`],
  ])('handles pathological input (%s) in bounded time and validly', (_name, input) => {
    expect(telegramHtmlProblems(markdownToTelegramHtml(input), CONVERTER_TAGS)).toEqual([]);
  });

  it('returns escaped text unchanged when there is no Markdown syntax', () => {
    const random = seededRandom(99);
    const words = ['hello', 'world', 'a<b', 'x&y', '"quoted"', '😀', 'snake_case', '1.5', 'ü'];
    for (let n = 0; n < 200; n++) {
      const count = 1 + Math.floor(random() * 20);
      const text = Array.from({ length: count }, () => pick(random, words)).join(' ');
      expect(markdownToTelegramHtml(text)).toBe(escapeHtml(text));
    }
  });

  it('splits converted output into chunks that are each valid Telegram HTML', () => {
    const random = seededRandom(2024);
    for (let n = 0; n < 400; n++) {
      const html = markdownToTelegramHtml(randomMarkdown(random, 200));
      const limit = 2 + Math.floor(random() * 120);
      for (const chunk of splitTelegramHtml(html, limit)) {
        expect(visibleLength(chunk)).toBeLessThanOrEqual(limit);
        const problems = telegramHtmlProblems(chunk, CONVERTER_TAGS);
        if (problems.length > 0) throw new Error(`chunk ${chunk} of ${html}: ${problems.join('; ')}`);
      }
    }
  });
});

describe('the Telegram HTML checker used above', () => {
  it.each([
    ['<b>unclosed', 'unclosed b'],
    ['<b><i>x</b></i>', '</b> closes <i>'],
    ['<script>x</script>', 'not allowed'],
    ['a & b', 'bare &'],
    ['a > b', 'unescaped >'],
    ['<a href="javascript:x">y</a>', 'bad attributes'],
    ['<code class="language-js">x</code>', 'bad attributes'],
    ['<blockquote><blockquote>x</blockquote></blockquote>', 'nested <blockquote>'],
    ['<code><b>x</b></code>', 'inside <code>'],
    ['<b></b>', 'empty <b>'],
  ])('rejects %s', (html, problem) => {
    expect(telegramHtmlProblems(html).join('; ')).toContain(problem);
  });

  it('accepts the examples from the Bot API documentation', () => {
    const html =
      '<b>bold <i>italic bold <s>italic bold strikethrough <span class="tg-spoiler">italic bold strikethrough spoiler</span></s> <u>underline italic bold</u></i> bold</b>' +
      '<a href="tg://user?id=123456789">inline mention of a user</a><pre><code class="language-python">x</code></pre><blockquote expandable>q</blockquote>';
    expect(telegramHtmlProblems(html)).toEqual([]);
  });
});
