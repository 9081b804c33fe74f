import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { Buttons } from '../../commands/index.js';
import type { OwnerButton } from '../../messenger/index.js';

/** Our rows of buttons as Telegram's inline keyboard: a link, or callback data (the text when none is given). */
export function inlineKeyboard(rows: Buttons): InlineKeyboardMarkup {
  return { inline_keyboard: rows.map((row) => row.map(inlineButton)) };
}

function inlineButton(b: OwnerButton): InlineKeyboardButton {
  if (b.url !== undefined) return { text: b.text, url: b.url };
  return { text: b.text, callback_data: b.data ?? b.text };
}
