import type { Api } from 'grammy';
import type { InlineKeyboardMarkup, Message } from 'grammy/types';
import { htmlToPlainText, isEntityParseError, renderForTelegram, splitTelegramHtml } from './format/index.js';

export interface SendTextOptions {
  /** Buttons go on the last chunk. */
  buttons?: InlineKeyboardMarkup;
  /** The text is already Telegram HTML (escaped); skip the Markdown conversion. */
  html?: boolean;
  replyToMessageId?: number;
}

/**
 * Sends our text as one or more Telegram messages: Markdown converted to safe HTML,
 * split at 4096 visible characters, and each chunk retried as plain text if
 * Telegram still rejects its entities. Returns the messages in order.
 */
export async function sendText(api: Api, chatId: number, text: string, options: SendTextOptions = {}): Promise<Message.TextMessage[]> {
  const chunks = options.html ? splitTelegramHtml(text) : renderForTelegram(text).html;
  const parts = chunks.length > 0 ? chunks : ['…'];
  const sent: Message.TextMessage[] = [];
  for (const [index, chunk] of parts.entries()) {
    const last = index === parts.length - 1;
    const extra = {
      link_preview_options: { is_disabled: true },
      ...(last && options.buttons ? { reply_markup: options.buttons } : {}),
      ...(index === 0 && options.replyToMessageId !== undefined
        ? { reply_parameters: { message_id: options.replyToMessageId, allow_sending_without_reply: true } }
        : {}),
    };
    try {
      sent.push(await api.sendMessage(chatId, chunk, { ...extra, parse_mode: 'HTML' }));
    } catch (err) {
      if (!isEntityParseError(err)) throw err;
      sent.push(await api.sendMessage(chatId, htmlToPlainText(chunk) || '…', extra));
    }
  }
  return sent;
}

/**
 * Replaces a message's text (streaming updates, button outcomes). Telegram's
 * "message is not modified" is not an error for us; entity errors fall back to plain.
 */
export async function editText(api: Api, chatId: number, messageId: number, text: string, options: SendTextOptions = {}): Promise<void> {
  const html = options.html ? text : renderForTelegram(text).html[0] ?? '…';
  const extra = { link_preview_options: { is_disabled: true }, ...(options.buttons ? { reply_markup: options.buttons } : {}) };
  try {
    await api.editMessageText(chatId, messageId, html, { ...extra, parse_mode: 'HTML' });
  } catch (err) {
    if (isNotModified(err)) return;
    if (!isEntityParseError(err)) throw err;
    try {
      await api.editMessageText(chatId, messageId, htmlToPlainText(html) || '…', extra);
    } catch (fallbackErr) {
      if (!isNotModified(fallbackErr)) throw fallbackErr;
    }
  }
}

export function isNotModified(err: unknown): boolean {
  return describes(err, 'message is not modified');
}

function describes(err: unknown, fragment: string): boolean {
  return typeof err === 'object' && err !== null && 'description' in err && typeof err.description === 'string' && err.description.includes(fragment);
}
