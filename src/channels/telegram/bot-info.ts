import { Api } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import { scrubSecrets, type Logger } from '../../log/index.js';
import { explainFatal, TelegramFatalError } from './errors.js';

/**
 * getMe at start: a bad token stops the daemon here with a clear message; a
 * network that is not up yet (boot order on a VPS) gets a few patient retries.
 */
export async function fetchBotInfo(token: string, apiRoot: string, log: Logger): Promise<UserFromGetMe> {
  const api = new Api(token, { apiRoot });
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await api.getMe();
    } catch (err) {
      const fatal = explainFatal(err);
      if (fatal) throw fatal;
      const reason = err instanceof Error ? err.message : String(err);
      if (attempt >= 4) {
        throw new TelegramFatalError(`Cannot reach Telegram at ${apiRoot} (getMe failed: ${reason}). Check the network and TELEGRAM_API_ROOT.`, { cause: err });
      }
      const waitMs = 1000 * 2 ** attempt;
      log.warn({ attempt, waitMs, reason: scrubSecrets(reason) }, 'telegram not reachable yet; retrying getMe');
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }
}
