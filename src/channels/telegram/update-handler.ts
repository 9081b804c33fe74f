import { BotError, type Bot } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from '../../log/index.js';
import { scrubSecrets } from '../../log/index.js';
import type { BotContext } from './context.js';
import type { IgnoredUpdates } from './ignored-updates.js';
import type { OwnerAuth } from './owner-auth.js';
import { sendText } from './send-text.js';

/**
 * Runs one update through the bot. A handler that throws is logged, the owner is
 * told in one short line, and the error is rethrown so the inbox marks the update
 * failed (kept for inspection, not retried).
 */
export function createUpdateHandler(bot: Bot<BotContext>, auth: OwnerAuth, log: Logger, isTerminal: (update: Update) => boolean, ignored: IgnoredUpdates) {
  return async (update: Update): Promise<'handled' | 'ignored'> => {
    try {
      await bot.handleUpdate(update);
      return ignored.has(update) ? 'ignored' : 'handled';
    } catch (err) {
      const cause = err instanceof BotError ? err.error : err;
      const userId = update.message?.from.id ?? update.callback_query?.from.id ?? update.edited_message?.from.id;
      const chatId = update.message?.chat.id ?? update.callback_query?.message?.chat.id ?? update.edited_message?.chat.id ?? userId;
      if (chatId !== undefined && (isTerminal(update) || auth.isOwner(userId))) {
        try {
          await sendText(bot.api, chatId, `Something went wrong handling that: ${describeError(cause)}`);
        } catch (notifyErr) {
          log.warn({ err: notifyErr }, 'could not tell the owner about a failed update');
        }
      }
      throw cause;
    }
  };
}

export function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const clean = scrubSecrets(message).replace(/\s+/g, ' ').trim();
  return clean.length > 300 ? `${clean.slice(0, 297)}…` : clean || 'unknown error';
}
