import { escapeHtml } from './escape.js';
import { renderInline } from './markdown-inline.js';

const FENCE_OPEN = /^( {0,3})(`{3,}|~{3,})[ \t]*([^`\s]*)[^`]*$/;
const FENCE_CLOSE = /^ {0,3}(`{3,}|~{3,})[ \t]*$/;
const LANGUAGE = /^[A-Za-z0-9_+#.-]{1,32}$/;
const QUOTE = /^ {0,3}>/;
const QUOTE_MARKERS = /^(?: {0,3}>[ \t]?)+/;
const BULLET = /^([ \t]*)[-*+][ \t]+(.*)$/;
const RULE = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;

/** Trims spaces, tabs and newlines by hand: `/\s+$/` is quadratic on long runs. */
function trimBlank(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && /[ \t\n]/.test(s[start] ?? '')) start++;
  while (end > start && /[ \t\n]/.test(s[end - 1] ?? '')) end--;
  return s.slice(start, end);
}

/** ATX heading text ("## Title ##" → "Title"), or undefined if not a heading. */
function headingText(line: string): string | undefined {
  let i = 0;
  while (i < 3 && line[i] === ' ') i++;
  let hashes = 0;
  while (line[i + hashes] === '#') hashes++;
  if (hashes < 1 || hashes > 6) return undefined;
  const after = line[i + hashes];
  if (after !== undefined && after !== ' ' && after !== '\t') return undefined;
  let text = trimBlank(line.slice(i + hashes));
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0 || text[end - 1] === ' ' || text[end - 1] === '\t') text = trimBlank(text.slice(0, end));
  return text;
}

function renderLine(line: string): string {
  if (RULE.test(line)) return '———';
  const heading = headingText(line);
  if (heading !== undefined) {
    const inner = renderInline(heading);
    return /\S/.test(inner) ? `<b>${inner}</b>` : '';
  }
  const bullet = BULLET.exec(line);
  if (bullet) return `${bullet[1] ?? ''}• ${renderInline(bullet[2] ?? '')}`;
  // Numbered lists ("1. ", "2) ") need nothing: the number is kept as text.
  return renderInline(line);
}

interface Fence {
  readonly indent: number;
  readonly marker: string;
  readonly language: string | undefined;
}

function openFence(line: string): Fence | undefined {
  const m = FENCE_OPEN.exec(line);
  if (!m) return undefined;
  const marker = m[2] ?? '```';
  // "~~~" info strings may contain backticks in CommonMark; keep it simple.
  const info = m[3] ?? '';
  return { indent: (m[1] ?? '').length, marker, language: LANGUAGE.test(info) ? info : undefined };
}

function closesFence(line: string, fence: Fence): boolean {
  const m = FENCE_CLOSE.exec(line);
  const marker = m?.[1];
  return marker !== undefined && marker[0] === fence.marker[0] && marker.length >= fence.marker.length;
}

function codeBlockHtml(lines: readonly string[], fence: Fence): string {
  const strip = new RegExp(`^ {0,${fence.indent}}`);
  const code = lines.map((l) => l.replace(strip, '')).join('\n').trimEnd();
  if (!/\S/.test(code)) return '';
  const body = escapeHtml(code);
  return fence.language === undefined
    ? `<pre>${body}</pre>`
    : `<pre><code class="language-${escapeHtml(fence.language)}">${body}</code></pre>`;
}

/**
 * Converts the Markdown that LLMs write into Telegram HTML: **bold** and
 * __bold__, *italic* and _italic_ (never inside words: `snake_case`, `2*3*4`), `code`,
 * fenced blocks (→ `<pre><code class="language-x">`), [links](…) with
 * http/https/tg/mailto targets only, `# headings` as bold lines, bullets as
 * "• ", numbered lists as-is, `>` quotes as `<blockquote>`, ~~strike~~.
 * Everything else is escaped text. The result uses only b, i, s, code, pre,
 * a and blockquote, and is balanced for any input. Never throws.
 */
export function markdownToTelegramHtml(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    const fence = openFence(line);
    if (fence) {
      const body: string[] = [];
      i++;
      // An unclosed fence runs to the end of the text, as in CommonMark.
      while (i < lines.length && !closesFence(lines[i] ?? '', fence)) {
        body.push(lines[i] ?? '');
        i++;
      }
      i++;
      out.push(codeBlockHtml(body, fence));
      continue;
    }
    if (QUOTE.test(line)) {
      const quoted: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] ?? '')) {
        // Nested quotes are flattened: Telegram cannot nest blockquotes.
        quoted.push(renderLine((lines[i] ?? '').replace(QUOTE_MARKERS, '')));
        i++;
      }
      const inner = trimBlank(quoted.join('\n'));
      out.push(/\S/.test(inner) ? `<blockquote>${inner}</blockquote>` : '');
      continue;
    }
    out.push(renderLine(line));
    i++;
  }
  return out.join('\n');
}
