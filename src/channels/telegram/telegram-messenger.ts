import { InputFile, type Api } from 'grammy';
import type { ChatMessenger, Delivery, OwnerMessage, OwnerMessenger, SendOptions } from '../../messenger/index.js';
import { inlineKeyboard } from './inline-keyboard.js';
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
    async sendDocument(chatId, document) {
      await api.sendDocument(chatId, new InputFile(Buffer.from(document.content, 'utf8'), document.name), document.caption !== undefined ? { caption: document.caption } : {});
    },
  };
}

function textOptions(message: OwnerMessage): SendTextOptions {
  return { ...(message.html ? { html: true } : {}), ...(message.buttons ? { buttons: inlineKeyboard(message.buttons) } : {}) };
}
