// reply_markup as sendMessage/edit* accept it. Only inline keyboards become part of the Message;
// callback_data is limited to 1-64 bytes (docs: InlineKeyboardButton), over that the server says
// BUTTON_DATA_INVALID.
import { badRequest } from './api-error.js';
import { jsonArg } from './request-args.js';
import type { Payload, TgInlineButton, TgInlineKeyboard } from './wire-types.js';

export const MAX_CALLBACK_DATA_BYTES = 64;

export interface ReadMarkup {
  /** The inline keyboard to store on the message, if any. */
  inline: TgInlineKeyboard | undefined;
  /** The raw markup object for the record. */
  raw: unknown;
}

export function readReplyMarkup(payload: Payload): ReadMarkup {
  const raw = jsonArg(payload, 'reply_markup', 'reply keyboard markup');
  if (raw === undefined) return { inline: undefined, raw };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw badRequest('object expected as reply markup');
  }
  if (!('inline_keyboard' in raw)) return { inline: undefined, raw };
  const rows: unknown = raw.inline_keyboard;
  if (!Array.isArray(rows) || !rows.every((row) => Array.isArray(row))) {
    throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
  }
  const keyboard: TgInlineButton[][] = [];
  for (const row of rows as unknown[][]) {
    const buttons: TgInlineButton[] = [];
    for (const button of row) buttons.push(readButton(button));
    keyboard.push(buttons);
  }
  return { inline: { inline_keyboard: keyboard }, raw };
}

function readButton(button: unknown): TgInlineButton {
  if (button === null || typeof button !== 'object' || Array.isArray(button)) {
    throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
  }
  const fields = button as Record<string, unknown>;
  const text = fields['text'];
  if (typeof text !== 'string') {
    throw badRequest('can\'t parse inline keyboard button: Field "text" must be of type String');
  }
  const data = fields['callback_data'];
  if (data !== undefined) {
    if (typeof data !== 'string' || Buffer.byteLength(data, 'utf8') > MAX_CALLBACK_DATA_BYTES || data === '') {
      throw badRequest('BUTTON_DATA_INVALID');
    }
  }
  return { ...fields, text };
}
