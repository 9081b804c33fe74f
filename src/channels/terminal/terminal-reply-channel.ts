import type { Api } from 'grammy';
import type { Logger } from '../../log/index.js';
import type { ReplyChannel } from '../../messenger/index.js';
import { createTelegramReplyChannel } from '../telegram/telegram-reply-channel.js';
import { TERMINAL_CHAT_ID } from './terminal-channel.js';

/**
 * The assistant's replies in the terminal. The terminal channel renders the Bot API calls
 * addressed to its chat (see `TerminalChannel.transformer`), so its replies take the same
 * calls as Telegram's, unpaced: every fragment is printed as it comes, as a draft (the
 * terminal chat is private).
 */
export function createTerminalReplyChannel(api: Api, log: Logger): ReplyChannel {
  const rendered = createTelegramReplyChannel(api, log, { draftIntervalMs: 0, editIntervalMs: 1_000 });
  return { ...rendered, stream: (chatId) => rendered.stream(chatId, { privateChat: true }) };
}

/** Replies in the terminal chat go to the terminal; every other chat is Telegram's. */
export function routeTerminalReplies(telegram: ReplyChannel, terminal: ReplyChannel): ReplyChannel {
  const pick = (chatId: number): ReplyChannel => (chatId === TERMINAL_CHAT_ID ? terminal : telegram);
  return {
    stream: (chatId, options) => pick(chatId).stream(chatId, options),
    typing: (chatId) => pick(chatId).typing(chatId),
    send: (chatId, text, options) => pick(chatId).send(chatId, text, options),
  };
}
