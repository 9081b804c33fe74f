import type { Message } from 'grammy/types';
import type { BotContext } from './context.js';
import { sendText, type SendTextOptions } from './send-text.js';

/** Replies in the chat the update came from, through the formatting helper. */
export async function replyText(ctx: BotContext, text: string, options?: SendTextOptions): Promise<Message.TextMessage[]> {
  const chatId = ctx.chat?.id ?? ctx.from?.id;
  if (chatId === undefined) return [];
  return sendText(ctx.api, chatId, text, options);
}
