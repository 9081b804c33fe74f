import type { Api } from 'grammy';
import type { Logger } from '../../log/index.js';

/** Telegram shows "typing…" for about 5 s; repeating every 4 s keeps it on while we work. */
export const TYPING_REPEAT_MS = 4_000;

/** Starts "typing…" at once and keeps it up until the returned stop function is called. */
export function showTyping(api: Api, chatId: number, log: Logger, repeatMs = TYPING_REPEAT_MS): () => void {
  let stopped = false;
  const send = (): void => {
    if (stopped) return;
    api.sendChatAction(chatId, 'typing').catch((err: unknown) => log.debug({ err }, 'typing indicator failed'));
  };
  send();
  const timer = setInterval(send, repeatMs);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
