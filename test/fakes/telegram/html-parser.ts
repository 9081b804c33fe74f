// parse_mode "HTML", ported from tdlib td/telegram/MessageEntity.cpp (parse_html and
// decode_html_entity), which is what the Bot API server runs. Error texts and byte offsets match
// it; the caller prefixes them with "Bad Request: can't parse entities: ".
//
// Faithful quirks worth knowing (they are tdlib's, not ours):
// - an `&` that does not start a known entity (&lt; &gt; &amp; &quot; or a numeric one) stays a
//   literal `&` — it does NOT fail; `&nbsp;` comes through as the six characters "&nbsp;";
// - the `;` after an entity is optional (`&lt` decodes);
// - a bare `>` is literal; a bare `<` starts a tag, so `a < b` fails with Unsupported start tag "";
// - tags with no text inside produce no entity.
import type { TgEntity } from './wire-types.js';

export class EntityParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EntityParseError';
  }
}

export interface ParsedText {
  text: string;
  entities: TgEntity[];
}

const SUPPORTED_TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins',
  'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code', 'blockquote',
]);

// td::is_space treats the terminating NUL as space; '' plays that role here.
function isSpace(c: string): boolean {
  return c === '' || c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v';
}
function isDigit(c: string): boolean {
  return c >= '0' && c <= '9' && c.length === 1;
}
function isHexDigit(c: string): boolean {
  return c.length === 1 && /[0-9a-fA-F]/.test(c);
}
function isAlpha(c: string): boolean {
  return c.length === 1 && /[a-zA-Z]/.test(c);
}
function isAlnum(c: string): boolean {
  return isAlpha(c) || isDigit(c);
}
// td::to_lower only touches ASCII.
function asciiLower(s: string): string {
  return s.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
}

interface Decoded {
  codePoint: number;
  end: number;
}

function decodeHtmlEntity(src: string, pos: number): Decoded | undefined {
  const at = (k: number): string => src.charAt(k);
  let end = pos + 1;
  let value = 0;
  if (at(pos + 1) === '#') {
    end++;
    if (at(pos + 2) === 'x') {
      end++;
      while (isHexDigit(at(end))) {
        value = value * 16 + Number.parseInt(at(end), 16);
        end++;
      }
    } else {
      while (isDigit(at(end))) {
        value = value * 10 + Number(at(end));
        end++;
      }
    }
    if (value === 0 || value >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (isAlpha(at(end))) end++;
    const name = src.slice(pos + 1, end);
    const named: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
    const found = named[name];
    if (found === undefined) return undefined;
    value = found;
  }
  if (at(end) === ';') end++;
  return { codePoint: value, end };
}

interface OpenTag {
  tagName: string;
  argument: string;
  offset: number;
}

interface RawEntity {
  kind: string;
  offset: number;
  length: number;
  argument: string;
}

// tdlib MessageEntity::get_type_priority, used as the last sort key.
const PRIORITY: Record<string, number> = {
  blockquote: 0, expandable_blockquote: 0, pre_code: 10, pre: 11, code: 20, text_link: 49,
  text_mention: 49, bold: 90, italic: 91, underline: 92, strikethrough: 93, spoiler: 94,
  custom_emoji: 99,
};

/** Parses Telegram HTML into plain text and entities; throws EntityParseError like tdlib. */
export function parseHtml(src: string): ParsedText {
  const at = (k: number): string => src.charAt(k);
  const byteOffset = (index: number): number => Buffer.byteLength(src.slice(0, index), 'utf8');
  const fail = (message: string): never => {
    throw new EntityParseError(message);
  };
  let out = '';
  const raw: RawEntity[] = [];
  const open: OpenTag[] = [];
  let i = 0;

  while (i < src.length) {
    const c = at(i);
    if (c === '&') {
      const decoded = decodeHtmlEntity(src, i);
      if (decoded !== undefined) {
        out += String.fromCodePoint(decoded.codePoint);
        i = decoded.end;
        continue;
      }
    }
    if (c !== '<') {
      out += c;
      i++;
      continue;
    }

    const begin = i;
    i++;
    if (at(i) !== '/') {
      while (!isSpace(at(i)) && at(i) !== '>') i++;
      if (at(i) === '') fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);
      const tagName = asciiLower(src.slice(begin + 1, i));
      if (!SUPPORTED_TAGS.has(tagName)) {
        fail(`Unsupported start tag "${tagName}" at byte offset ${byteOffset(begin)}`);
      }
      let argument = '';
      while (at(i) !== '>') {
        while (at(i) !== '' && isSpace(at(i))) i++;
        if (at(i) === '>') break;
        const attributeBegin = i;
        while (!isSpace(at(i)) && !['=', '>', '/', '"', "'"].includes(at(i))) i++;
        const attributeName = src.slice(attributeBegin, i);
        if (attributeName === '') {
          fail(`Empty attribute name in the tag "${tagName}" at byte offset ${byteOffset(begin)}`);
        }
        while (at(i) !== '' && isSpace(at(i))) i++;
        if (at(i) !== '=') {
          if (at(i) === '') fail(`Unclosed start tag "${tagName}" at byte offset ${byteOffset(begin)}`);
          if (tagName === 'blockquote' && attributeName === 'expandable') argument = '1';
          continue;
        }
        i++;
        while (at(i) !== '' && isSpace(at(i))) i++;
        if (at(i) === '') fail(`Unclosed start tag "${tagName}" at byte offset ${byteOffset(begin)}`);

        let value = '';
        if (at(i) !== "'" && at(i) !== '"') {
          const tokenBegin = i;
          while (isAlnum(at(i)) || at(i) === '.' || at(i) === '-') i++;
          value = asciiLower(src.slice(tokenBegin, i));
          if (!isSpace(at(i)) && at(i) !== '>') {
            fail(`Unexpected end of name token at byte offset ${byteOffset(tokenBegin)}`);
          }
        } else {
          const quote = at(i);
          i++;
          while (at(i) !== quote && at(i) !== '') {
            if (at(i) === '&') {
              const decoded = decodeHtmlEntity(src, i);
              if (decoded !== undefined) {
                value += String.fromCodePoint(decoded.codePoint);
                i = decoded.end;
                continue;
              }
            }
            value += at(i);
            i++;
          }
          if (at(i) === quote) i++;
        }
        if (at(i) === '') fail(`Unclosed start tag at byte offset ${byteOffset(begin)}`);

        if (tagName === 'a' && attributeName === 'href') {
          argument = value;
        } else if (tagName === 'code' && attributeName === 'class' && value.startsWith('language-')) {
          argument = value.slice('language-'.length);
        } else if (tagName === 'span' && attributeName === 'class' && value.startsWith('tg-')) {
          argument = value.slice('tg-'.length);
        } else if (tagName === 'tg-emoji' && attributeName === 'emoji-id') {
          argument = value;
        } else if (tagName === 'blockquote' && attributeName === 'expandable') {
          argument = '1';
        }
      }
      if (tagName === 'span' && argument !== 'spoiler') {
        fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(begin)}`);
      }
      open.push({ tagName, argument, offset: out.length });
      i++;
      continue;
    }

    // An end tag.
    const top = open.at(-1);
    if (top === undefined) fail(`Unexpected end tag at byte offset ${byteOffset(begin)}`);
    while (!isSpace(at(i)) && at(i) !== '>') i++;
    const endTagName = asciiLower(src.slice(begin + 2, i));
    while (isSpace(at(i)) && at(i) !== '') i++;
    if (at(i) !== '>') fail(`Unclosed end tag at byte offset ${byteOffset(begin)}`);
    const tag = open.pop();
    if (tag === undefined) break;
    if (endTagName !== '' && endTagName !== tag.tagName) {
      fail(
        `Unmatched end tag at byte offset ${byteOffset(begin)}, expected "</${tag.tagName}>", found "</${endTagName}>"`,
      );
    }
    if (out.length > tag.offset) closeEntity(tag, out, raw);
    i++;
  }

  const unclosed = open.at(-1);
  if (unclosed !== undefined) {
    fail(`Can't find end tag corresponding to start tag "${unclosed.tagName}"`);
  }
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(out)) {
    fail(
      'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units',
    );
  }
  return { text: out, entities: sortEntities(raw).map(toWire) };
}

function closeEntity(tag: OpenTag, out: string, raw: RawEntity[]): void {
  const offset = tag.offset;
  const length = out.length - offset;
  const push = (kind: string, argument = ''): void => {
    raw.push({ kind, offset, length, argument });
  };
  const last = raw.at(-1);
  const sameSpan = last !== undefined && last.offset === offset && last.length === length;
  switch (tag.tagName) {
    case 'i': case 'em': push('italic'); break;
    case 'b': case 'strong': push('bold'); break;
    case 's': case 'strike': case 'del': push('strikethrough'); break;
    case 'u': case 'ins': push('underline'); break;
    case 'tg-spoiler': case 'span': push('spoiler'); break;
    case 'tg-emoji': {
      if (!/^-?\d{1,19}$/.test(tag.argument) || BigInt(tag.argument) === 0n ||
        BigInt(tag.argument) > 9223372036854775807n || BigInt(tag.argument) < -9223372036854775808n) {
        throw new EntityParseError('Invalid custom emoji identifier specified');
      }
      push('custom_emoji', BigInt(tag.argument).toString());
      break;
    }
    case 'a': {
      const url = tag.argument === '' ? out.slice(offset) : tag.argument;
      const mention = /^tg:\/\/user\?id=(\d{1,15})$/i.exec(url.trim());
      if (mention?.[1] !== undefined) {
        push('text_mention', mention[1]);
      } else {
        const checked = checkedLink(url);
        if (checked !== undefined) push('text_link', checked);
      }
      break;
    }
    case 'pre':
      if (sameSpan && last.kind === 'code' && last.argument !== '') last.kind = 'pre_code';
      else push('pre');
      break;
    case 'code':
      if (sameSpan && last.kind === 'pre' && tag.argument !== '') {
        last.kind = 'pre_code';
        last.argument = tag.argument;
      } else {
        push('code', tag.argument);
      }
      break;
    case 'blockquote': push(tag.argument === '' ? 'blockquote' : 'expandable_blockquote'); break;
    default: break;
  }
}

// A small stand-in for tdlib LinkManager::get_checked_link: schemeless links get http://,
// only http(s)/tg/ton/tonsite survive, and http(s) links are normalised.
function checkedLink(input: string): string | undefined {
  const trimmed = input.trim();
  if (trimmed === '') return undefined;
  const hasScheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(trimmed);
  const candidate = hasScheme ? trimmed : `http://${trimmed}`;
  let parsed: URL;
  try {
    parsed = new URL(candidate);
  } catch {
    return undefined;
  }
  const scheme = parsed.protocol.toLowerCase();
  if (scheme === 'http:' || scheme === 'https:') return parsed.href;
  if (scheme === 'tg:' || scheme === 'ton:' || scheme === 'tonsite:') return candidate;
  return undefined;
}

function sortEntities(entities: RawEntity[]): RawEntity[] {
  return [...entities].sort(
    (a, b) =>
      a.offset - b.offset || b.length - a.length || (PRIORITY[a.kind] ?? 50) - (PRIORITY[b.kind] ?? 50),
  );
}

function toWire(entity: RawEntity): TgEntity {
  const base = { offset: entity.offset, length: entity.length };
  switch (entity.kind) {
    case 'pre_code': return { type: 'pre', ...base, language: entity.argument };
    case 'code': return { type: 'code', ...base };
    case 'text_link': return { type: 'text_link', ...base, url: entity.argument };
    case 'custom_emoji': return { type: 'custom_emoji', ...base, custom_emoji_id: entity.argument };
    case 'text_mention':
      return {
        type: 'text_mention',
        ...base,
        user: { id: Number(entity.argument), is_bot: false, first_name: '' },
      };
    default: return { type: entity.kind, ...base };
  }
}
