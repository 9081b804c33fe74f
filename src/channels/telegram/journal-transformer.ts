import type { Transformer } from 'grammy';
import type { EffectJournal, EffectOutcome } from '../../outbox/index.js';

/**
 * Bot API methods with a visible effect in a chat. Each call made while handling
 * an update is journaled under that update, so a replay after a crash returns the
 * recorded result instead of acting twice. Chat actions, drafts and reads are
 * harmless to repeat and pass straight through.
 */
const JOURNALED_METHODS = new Set([
  'sendMessage',
  'editMessageText',
  'editMessageReplyMarkup',
  'deleteMessage',
  'answerCallbackQuery',
  'sendPhoto',
  'sendDocument',
  'copyMessage',
  'forwardMessage',
  'setMessageReaction',
  'pinChatMessage',
]);

export function journalTransformer(journal: EffectJournal): Transformer {
  return (prev, method, payload, signal) => {
    if (!JOURNALED_METHODS.has(method)) return prev(method, payload, signal);
    const chatId = 'chat_id' in payload && typeof payload.chat_id === 'number' ? payload.chat_id : null;
    return journal.run(
      { method, chatId, payload },
      async (): Promise<EffectOutcome<Awaited<ReturnType<typeof prev>>>> => {
        const response = await prev(method, payload, signal);
        return response.ok
          ? { ok: true, value: response, result: response.result }
          : { ok: false, value: response, error: `${response.error_code}: ${response.description}` };
      },
      // A recorded success is handed back exactly as Telegram returned it the first time.
      (stored) => ({ ok: true, result: stored }) as Awaited<ReturnType<typeof prev>>,
    );
  };
}
