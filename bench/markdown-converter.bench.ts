/**
 * Markdown → Telegram HTML: our hand-written converter (src/channels/telegram/format)
 * against a challenger built on `marked`'s lexer with a small renderer
 * (bench/support/marked-telegram.ts). Same run, same inputs:
 * - the spec: every input/expected pair of test/format/markdown.test.ts;
 * - validity: 3,000 seeded random Markdown inputs, output checked by the strict
 *   Telegram HTML checker the property tests use;
 * - pathological inputs: time per input (bounded?), as a ratio to ours;
 * - realistic model answers: valid HTML, no Markdown syntax left visible, every
 *   word kept in order, every source line still its own line;
 * - size: lines of code of each.
 *
 *   npx tsx bench/markdown-converter.bench.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { markdownToTelegramHtml } from '../src/channels/telegram/format/index.js';
import { CONVERTER_TAGS, randomMarkdown, seededRandom, telegramHtmlProblems } from '../test/format/telegram-html.js';
import { MARKDOWN_CASES } from './support/markdown-cases.js';
import { MODEL_ANSWERS } from './support/model-answers.js';
import { markedToTelegramHtml } from './support/marked-telegram.js';

type Converter = (markdown: string) => string;
const CONVERTERS: Array<[string, Converter]> = [
  ['ours (hand-written)', markdownToTelegramHtml],
  ['marked lexer + renderer', markedToTelegramHtml],
];

function safely(convert: Converter, input: string): { html: string; error?: string } {
  try {
    return { html: convert(input) };
  } catch (err) {
    return { html: '', error: err instanceof Error ? err.message : String(err) };
  }
}

function visible(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
}

/** What a reader of the answer would call wrong in the rendered message. */
function answerProblems(source: string, html: string): string[] {
  const problems = telegramHtmlProblems(html, CONVERTER_TAGS).map((p) => `invalid: ${p}`);
  const text = visible(html);
  const prose = text.replace(/```[\s\S]*?```/g, '');
  if (/(\*\*|__)\p{L}[^*_\n]*\p{L}\1|^#{1,6} /mu.test(prose.replace(/`[^`]*`/g, ''))) problems.push('Markdown syntax left visible');
  const words = (s: string): string[] => s.replace(/```[\s\S]*?```/g, ' ').match(/[\p{L}\p{N}]{3,}/gu) ?? [];
  let at = 0;
  const out = words(text);
  for (const word of words(source.replace(/\]\([^)]*\)/g, ']'))) {
    const found = out.indexOf(word, at);
    if (found < 0) {
      problems.push(`word lost: ${word}`);
      break;
    }
    at = found + 1;
  }
  const sourceLines = source.split('\n').filter((line) => line.trim() !== '' && !/^\s*(```|---+\s*$|\|[-:| ]+\|?\s*$)/.test(line)).length;
  const shownLines = text.split('\n').filter((line) => line.trim() !== '').length;
  if (shownLines < sourceLines) problems.push(`lines merged: ${sourceLines} → ${shownLines}`);
  return problems;
}

function timeIt(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const PATHOLOGICAL: Array<[string, string]> = [
  ['emphasis storm', '*_'.repeat(20_000)],
  ['bracket storm', '['.repeat(20_000) + ']('.repeat(10_000)],
  ['backtick storm', '`a``b```c'.repeat(5_000)],
  ['opener storm', '**a '.repeat(20_000)],
  ['link prefix storm', '[a](http://x'.repeat(5_000)],
  ['blank quote lines', `> a\n${'>\n'.repeat(20_000)}> b`],
  ['long rule-like line', `${'- '.repeat(20_000)}x`],
  ['nested lists', Array.from({ length: 2_000 }, (_, i) => `${' '.repeat((i % 40) * 2)}- item ${i}`).join('\n')],
];

function linesOf(files: string[]): number {
  return files.reduce((sum, file) => sum + fs.readFileSync(file, 'utf8').split('\n').length, 0);
}

const ROOT = path.resolve(import.meta.dirname, '..');
const formatDir = path.join(ROOT, 'src/channels/telegram/format');
const ourFiles = ['emphasis.ts', 'escape.ts', 'markdown-inline.ts', 'markdown-link.ts', 'markdown-to-html.ts'].map((f) => path.join(formatDir, f));
const sizes = new Map([
  ['ours (hand-written)', `${linesOf(ourFiles)} lines (conversion only; splitting is shared and not compared)`],
  ['marked lexer + renderer', `${linesOf([path.join(ROOT, 'bench/support/marked-telegram.ts')])} lines + marked (${Math.round(fs.statSync(path.join(ROOT, 'node_modules/marked/lib/marked.esm.js')).size / 1024)} KB)`],
]);

const rows: string[] = [];
const detail: string[] = [];
const baseline = new Map<string, number>();
for (const [name, convert] of CONVERTERS) {
  const specFailures = MARKDOWN_CASES.filter(([input, expected]) => safely(convert, input).html !== expected);
  const random = seededRandom(0x5eed);
  let invalid = 0;
  for (let n = 0; n < 3_000; n += 1) {
    const result = safely(convert, randomMarkdown(random, 80));
    if (result.error || telegramHtmlProblems(result.html, CONVERTER_TAGS).length > 0) invalid += 1;
  }
  let worstMs = 0;
  let totalMs = 0;
  let pathologicalInvalid = 0;
  for (const [title, input] of PATHOLOGICAL) {
    let result: { html: string; error?: string } = { html: '' };
    const ms = timeIt(() => {
      result = safely(convert, input);
    });
    if (result.error !== undefined || telegramHtmlProblems(result.html, CONVERTER_TAGS).length > 0) {
      pathologicalInvalid += 1;
      detail.push(`- ${name} on the pathological input "${title}": ${result.error ?? 'invalid HTML'}`);
    }
    worstMs = Math.max(worstMs, ms);
    totalMs += ms;
  }
  if (!baseline.has('pathological')) baseline.set('pathological', totalMs);
  let answersWithProblems = 0;
  for (const [title, answer] of MODEL_ANSWERS) {
    const problems = answerProblems(answer, safely(convert, answer).html);
    if (problems.length > 0) {
      answersWithProblems += 1;
      detail.push(`- ${name}, "${title}": ${problems.slice(0, 3).join('; ')}`);
    }
  }
  const ratio = totalMs / (baseline.get('pathological') ?? totalMs);
  rows.push(
    `| ${name} | ${MARKDOWN_CASES.length - specFailures.length}/${MARKDOWN_CASES.length} | ${invalid}/3000 | ${pathologicalInvalid}/${PATHOLOGICAL.length} failed, worst ${worstMs.toFixed(0)} ms, total ${ratio.toFixed(2)}× ours | ${MODEL_ANSWERS.length - answersWithProblems}/${MODEL_ANSWERS.length} | ${sizes.get(name)} |`,
  );
  if (name !== 'ours (hand-written)') for (const [input, expected] of specFailures.slice(0, 12)) detail.push(`- ${name} differs from the spec on ${JSON.stringify(input)}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(safely(convert, input).html)}`);
}

process.stdout.write(
  [
    '## Markdown → Telegram HTML converter',
    '',
    'Command: `npx tsx bench/markdown-converter.bench.ts`',
    '',
    '| Converter | Spec cases met | Invalid HTML on random input | Pathological inputs: invalid, time | Model answers rendered right | Size |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    ...detail,
    '',
  ].join('\n'),
);
