// Turns (text, parse_mode, entities) into the stored plain text + entities the way the Bot API
// does before a message is sent: parse, trim surrounding whitespace, then check empty / too long.
// The 4096 limit is counted on the text AFTER entity parsing, in UTF-16 code units.
import { badRequest } from './api-error.js';
import { EntityParseError, parseHtml } from './html-parser.js';
import type { TgEntity } from './wire-types.js';

export const MAX_MESSAGE_LENGTH = 4096;

export interface FormattedText {
  text: string;
  entities: TgEntity[];
  /** Set when the fake accepted something it does not model (e.g. MarkdownV2). */
  unmodelled?: string;
}

export interface FormatOptions {
  /** sendMessageDraft allows an empty text ("Thinking..." placeholder). */
  allowEmpty?: boolean;
}

const TRIMMED = new Set([' ', '\t', '\r', '\n']);

export function formatText(
  rawText: string,
  parseMode: string,
  explicitEntities: TgEntity[] | undefined,
  options: FormatOptions = {},
): FormattedText {
  let parsed: FormattedText;
  const mode = parseMode.toLowerCase();
  if (explicitEntities !== undefined && explicitEntities.length > 0) {
    parsed = { text: rawText, entities: explicitEntities };
  } else if (mode === '' || mode === 'none') {
    parsed = { text: rawText, entities: [] };
  } else if (mode === 'html') {
    try {
      parsed = parseHtml(rawText);
    } catch (error) {
      if (error instanceof EntityParseError) {
        throw badRequest(`can't parse entities: ${error.message}`);
      }
      throw error;
    }
  } else if (mode === 'markdown' || mode === 'markdownv2') {
    parsed = { text: rawText, entities: [], unmodelled: `parse_mode ${parseMode} is not parsed by the fake` };
  } else {
    throw badRequest('unsupported parse_mode');
  }

  const trimmed = trim(parsed);
  if (trimmed.text.length === 0 && options.allowEmpty !== true) throw badRequest('message text is empty');
  if (trimmed.text.length > MAX_MESSAGE_LENGTH) throw badRequest('message is too long');
  return trimmed;
}

function trim(input: FormattedText): FormattedText {
  const { text } = input;
  let start = 0;
  let end = text.length;
  while (start < end && TRIMMED.has(text.charAt(start))) start++;
  while (end > start && TRIMMED.has(text.charAt(end - 1))) end--;
  if (start === 0 && end === text.length) return input;
  const entities: TgEntity[] = [];
  for (const entity of input.entities) {
    const from = Math.max(entity.offset, start);
    const to = Math.min(entity.offset + entity.length, end);
    if (to > from) entities.push({ ...entity, offset: from - start, length: to - from });
  }
  const result: FormattedText = { text: text.slice(start, end), entities };
  if (input.unmodelled !== undefined) result.unmodelled = input.unmodelled;
  return result;
}
