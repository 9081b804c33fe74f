import { GrammyError, HttpError } from 'grammy';

/** A Telegram problem the daemon cannot work around: it stops and says how to fix it. */
export class TelegramFatalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TelegramFatalError';
  }
}

export function explainFatal(err: unknown): TelegramFatalError | undefined {
  if (!(err instanceof GrammyError)) return undefined;
  if (err.error_code === 401) {
    return new TelegramFatalError(
      'Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized). Copy the token again from @BotFather (/mybots → API Token) into .env and restart.',
      { cause: err },
    );
  }
  if (err.error_code === 409) {
    return new TelegramFatalError(
      `Telegram answered 409 Conflict (${err.description}). Another process is polling with this bot token: stop the other openzero instance (or any other bot using this token) and restart.`,
      { cause: err },
    );
  }
  if (err.error_code === 404 && err.method === 'getMe') {
    return new TelegramFatalError('Telegram answered 404 for getMe: check TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT.', { cause: err });
  }
  return undefined;
}

export function isAbort(err: unknown, signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true && (err instanceof HttpError || (err instanceof Error && err.name === 'AbortError'));
}
