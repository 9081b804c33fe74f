/**
 * The challenger in bench/markdown-converter.bench.ts: Markdown → Telegram HTML
 * built on `marked`'s lexer (GFM, `breaks: true` so the model's line breaks
 * survive) with a small renderer over its tokens. It follows the same output
 * conventions as src/channels/telegram/format (headings as bold lines, bullets
 * as "•", safe link schemes only, everything else escaped) so the two can be
 * compared case by case.
 */
import { Lexer, type Token, type Tokens } from 'marked';

const SAFE_SCHEME = /^(https?:|tg:|mailto:)/i;

/** Telegram refuses empty entities: wrap only when there is something inside. */
function wrap(tag: string, inner: string, attributes = ''): string {
  return inner === '' ? '' : `<${tag}${attributes}>${inner}</${tag}>`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** marked hands back text with entities decoded in `text` fields of escapes; raw text needs escaping once. */
function inline(tokens: Token[] | undefined, inLink = false): string {
  if (!tokens) return '';
  let out = '';
  for (const token of tokens) {
    switch (token.type) {
      case 'strong':
        out += wrap('b', inline((token as Tokens.Strong).tokens, inLink));
        break;
      case 'em':
        out += wrap('i', inline((token as Tokens.Em).tokens, inLink));
        break;
      case 'del':
        out += wrap('s', inline((token as Tokens.Del).tokens, inLink));
        break;
      case 'codespan':
        out += inLink ? escape(unescapeEntities((token as Tokens.Codespan).text)) : wrap('code', escape(unescapeEntities((token as Tokens.Codespan).text)));
        break;
      case 'br':
        out += '\n';
        break;
      case 'link':
      case 'image': {
        const link = token as Tokens.Link | Tokens.Image;
        const label = link.type === 'link' ? inline(link.tokens, true) : escape(link.text);
        if (!inLink && SAFE_SCHEME.test(link.href)) out += `<a href="${escape(link.href)}">${label || escape(link.href)}</a>`;
        else out += escape(link.raw);
        break;
      }
      case 'escape':
        out += escape((token as Tokens.Escape).text);
        break;
      case 'html':
        out += escape(token.raw);
        break;
      case 'text': {
        const text = token as Tokens.Text;
        out += text.tokens ? inline(text.tokens, inLink) : escape(unescapeEntities(text.text));
        break;
      }
      default:
        out += escape(token.raw);
    }
  }
  return out;
}

/** marked escapes `&<>"'` inside text tokens itself; undo that so we escape exactly once. */
function unescapeEntities(text: string): string {
  return text.replace(/&(lt|gt|quot|#39|amp);/g, (_m, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name] ?? _m);
}

function block(tokens: Token[], depth = 0): string[] {
  const lines: string[] = [];
  for (const token of tokens) {
    switch (token.type) {
      case 'space':
        break;
      case 'heading':
        lines.push(wrap('b', inline((token as Tokens.Heading).tokens)));
        break;
      case 'paragraph':
        lines.push(inline((token as Tokens.Paragraph).tokens));
        break;
      case 'text': {
        const text = token as Tokens.Text;
        lines.push(text.tokens ? inline(text.tokens) : escape(text.text));
        break;
      }
      case 'code': {
        const code = token as Tokens.Code;
        const lang = code.lang && /^[\w+#.-]+$/.test(code.lang) ? code.lang : '';
        if (code.text !== '') lines.push(lang ? `<pre><code class="language-${lang}">${escape(code.text)}</code></pre>` : wrap('pre', escape(code.text)));
        break;
      }
      case 'blockquote': {
        const inner = block((token as Tokens.Blockquote).tokens, depth).join('\n');
        if (inner.trim()) lines.push(`<blockquote>${inner.replace(/<\/?blockquote>/g, '')}</blockquote>`);
        break;
      }
      case 'list': {
        const list = token as Tokens.List;
        const start = typeof list.start === 'number' ? list.start : 1;
        list.items.forEach((item, index) => {
          const marker = list.ordered ? `${start + index}.` : '•';
          const [first = '', ...rest] = block(item.tokens, depth + 1);
          lines.push(`${'  '.repeat(depth)}${marker} ${first}`, ...rest);
        });
        break;
      }
      case 'hr':
        lines.push('———');
        break;
      case 'table': {
        const table = token as Tokens.Table;
        const row = (cells: Tokens.TableCell[]): string => cells.map((cell) => inline(cell.tokens)).join(' | ');
        lines.push(row(table.header), ...table.rows.map(row));
        break;
      }
      case 'html':
        lines.push(escape(token.raw.replace(/\n+$/, '')));
        break;
      default:
        lines.push(escape(token.raw.replace(/\n+$/, '')));
    }
  }
  return lines;
}

export function markedToTelegramHtml(markdown: string): string {
  const tokens = new Lexer({ gfm: true, breaks: true }).lex(markdown.replace(/\r\n?/g, '\n'));
  return block(tokens).join('\n');
}
