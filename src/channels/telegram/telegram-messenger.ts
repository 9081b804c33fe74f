import type { Api } from 'grammy';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { ChatMessenger, Delivery, OwnerButton, OwnerMessage, OwnerMessenger, SendOptions } from '../../messenger/index.js';
import { editText, sendText, type SendTextOptions } from './send-text.js';

/**
 * The plain owner messenger over the Bot API (journaled and retried by its transformers):
 * it sends every time. `createDurableMessenger` (messenger/) wraps it to honour `scope`
 * and quiet hours.
 */
export function createTelegramMessenger(api: Api, ownerChatId: () => number | undefined): OwnerMessenger {
  return {
    async send(message: OwnerMessage, _options?: SendOptions): Promise<Delivery | undefined> {
      const chatId = ownerChatId();
      if (chatId === undefined) return undefined;
      const sent = await sendText(api, chatId, message.text, textOptions(message));
      return { messageIds: sent.map((m) => m.message_id) };
    },
  };
}

/** Messages in a given chat, edited later (approval requests and their outcome), over the Bot API. */
export function createTelegramChatMessenger(api: Api): ChatMessenger {
  return {
    async sendTo(chatId, message) {
      const sent = await sendText(api, chatId, message.text, textOptions(message));
      return sent.map((m) => m.message_id);
    },
    async edit(chatId, messageId, message) {
      await editText(api, chatId, messageId, message.text, textOptions(message));
    },
  };
}

function textOptions(message: OwnerMessage): SendTextOptions {
  return { ...(message.html ? { html: true } : {}), ...(message.buttons ? { buttons: keyboard(message.buttons) } : {}) };
}

function keyboard(rows: OwnerButton[][]): InlineKeyboardMarkup {
  return { inline_keyboard: rows.map((row) => row.map(button)) };
}

function button(b: OwnerButton): InlineKeyboardButton {
  if (b.url !== undefined) return { text: b.text, url: b.url };
  return { text: b.text, callback_data: b.data ?? b.text };
}
