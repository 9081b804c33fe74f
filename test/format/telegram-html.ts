/**
 * Test helpers: a strict checker for Telegram's HTML parse mode (per the Bot
 * API "Formatting options" section) and a seeded random generator.
 */

/** Tags and attributes Telegram accepts, from the Bot API "HTML style" list. */
const TELEGRAM_TAGS = new Set([
  'b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler',
  'a', 'tg-emoji', 'code', 'pre', 'blockquote',
]);
/** The subset markdownToTelegramHtml may emit. */
export const CONVERTER_TAGS = new Set(['b', 'i', 's', 'code', 'pre', 'a', 'blockquote']);

const TAG = /^<(\/?)([a-z-]+)((?: [a-z-]+(?:="[^"<>]*")?)*)>/;
const ENTITY = /^&(?:lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});/;
const SAFE_HREF = /^(?:https?:\/\/|tg:\/\/|mailto:)/;

function attributesOk(name: string, attrs: string, parent: string | undefined): boolean {
  if (attrs === '') return name !== 'a' && name !== 'span' && name !== 'tg-emoji';
  if (name === 'a') {
    const m = /^ href="([^"]*)"$/.exec(attrs);
    return m !== null && SAFE_HREF.test(m[1]?.replace(/&amp;/g, '&') ?? '');
  }
  if (name === 'code') return parent === 'pre' && /^ class="language-[A-Za-z0-9_+#.-]+"$/.test(attrs);
  if (name === 'span') return attrs === ' class="tg-spoiler"';
  if (name === 'blockquote') return attrs === ' expandable';
  if (name === 'tg-emoji') return /^ emoji-id="[0-9]+"$/.test(attrs);
  return false;
}

/** Returns the problems found; an empty list means Telegram would accept it. */
export function telegramHtmlProblems(html: string, allowed: ReadonlySet<string> = TELEGRAM_TAGS): string[] {
  const problems: string[] = [];
  const stack: string[] = [];
  let lastWasOpen = false;
  for (let i = 0; i < html.length; ) {
    const ch = html[i];
    if (ch === '<') {
      const m = TAG.exec(html.slice(i, i + 400));
      if (!m) {
        problems.push(`unescaped < at ${i}`);
        i++;
        continue;
      }
      const [raw, slash, name = '', attrs = ''] = m;
      if (!allowed.has(name)) problems.push(`tag <${name}> not allowed at ${i}`);
      const parent = stack[stack.length - 1];
      if (slash === '/') {
        if (attrs !== '') problems.push(`attributes on closing tag at ${i}`);
        if (parent !== name) problems.push(`</${name}> closes <${parent ?? 'nothing'}> at ${i}`);
        else stack.pop();
        if (lastWasOpen) problems.push(`empty <${name}> at ${i}`);
        lastWasOpen = false;
      } else {
        if (!attributesOk(name, attrs, parent)) problems.push(`bad attributes ${JSON.stringify(attrs)} on <${name}> at ${i}`);
        if (parent === 'code') problems.push(`<${name}> inside <code> at ${i}`);
        if (parent === 'pre' && name !== 'code') problems.push(`<${name}> inside <pre> at ${i}`);
        if (name === 'a' && stack.includes('a')) problems.push(`nested <a> at ${i}`);
        if (name === 'blockquote' && stack.includes('blockquote')) problems.push(`nested <blockquote> at ${i}`);
        if ((name === 'pre' || name === 'code') && stack.some((t) => t === 'pre' || t === 'code') && !(name === 'code' && parent === 'pre')) {
          problems.push(`<${name}> inside code at ${i}`);
        }
        stack.push(name);
        lastWasOpen = true;
      }
      i += raw.length;
      continue;
    }
    if (ch === '&') {
      const m = ENTITY.exec(html.slice(i, i + 12));
      if (!m) problems.push(`bare & at ${i}`);
      i += m ? m[0].length : 1;
    } else {
      if (ch === '>') problems.push(`unescaped > at ${i}`);
      i++;
    }
    lastWasOpen = false;
  }
  if (stack.length > 0) problems.push(`unclosed ${stack.join(',')}`);
  return problems;
}

/** mulberry32: small, fast, and good enough to drive property tests. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(random: () => number, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Fragments that stress the converter: syntax, near-syntax, entities, emoji. */
export const MARKDOWN_FRAGMENTS: readonly string[] = [
  '*', '**', '***', '_', '__', '~', '~~', '`', '``', '```', '```js\n', '\n```\n', '~~~\n',
  '[', ']', '(', ')', '](', '![', '[x](', 'http://a.b/c', 'https://e.x/?a=1&b=2', 'javascript:alert(1)',
  'tg://user?id=1', 'mailto:a@b.c', '<https://auto.x>', '<', '>', '&', '&amp;', '&lt;', '&#128512;', '"', "'",
  '#', '# ', '## ', '\n', '\n\n', '\n> ', '> ', '\n- ', '\n* ', '\n+ ', '\n1. ', ' ', '  ', '\t',
  'word', 'snake_case_name', '2*3*4', '2**3', 'a_b_c', '\\', '\\*', '\\_', '😀', '👩‍💻', '\u200D', '\uFE0F',
  'ü', '\u0301', '\uD83D', '\uDE00', '这是', '---', '\r\n', '<b>', '</i>', '<a href="x">', '|', '||',
];

export function randomMarkdown(random: () => number, maxFragments: number): string {
  const count = Math.floor(random() * maxFragments);
  let out = '';
  for (let k = 0; k < count; k++) out += pick(random, MARKDOWN_FRAGMENTS);
  return out;
}
