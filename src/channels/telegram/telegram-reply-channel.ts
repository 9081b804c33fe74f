import type { Api } from 'grammy';
import type { Logger } from '../../log/index.js';
import type { ReplyChannel } from '../../messenger/index.js';
import { sendText } from './send-text.js';
import { StreamSink } from './stream-sink.js';
import { showTyping } from './typing-indicator.js';

export interface TelegramReplyChannelOptions {
  /** Least time between two drafts; 0 streams every fragment. */
  draftIntervalMs: number;
  /** Least time between two edits of the fallback message (Telegram allows about one a second). */
  editIntervalMs: number;
}

/** Telegram's drafts are spaced 300 ms apart; edits of the fallback message one second apart. */
export const TELEGRAM_REPLY_PACING: TelegramReplyChannelOptions = { draftIntervalMs: 300, editIntervalMs: 1_000 };

/** The assistant's replies over the Bot API: drafts or edited messages while writing, formatted text at the end. */
export function createTelegramReplyChannel(api: Api, log: Logger, pacing: TelegramReplyChannelOptions = TELEGRAM_REPLY_PACING): ReplyChannel {
  return {
    stream: (chatId, { privateChat }) => new StreamSink({ api, chatId, privateChat, log, ...pacing }),
    typing: (chatId) => showTyping(api, chatId, log),
    send: async (chatId, text, options = {}) => {
      await sendText(api, chatId, text, options.html ? { html: true } : {});
    },
  };
}
