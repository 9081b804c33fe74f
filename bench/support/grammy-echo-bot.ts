/**
 * The baseline for the pipeline benchmark: a bare grammY echo bot with nothing between Telegram
 * and the handler (no database, no owner check). `@grammyjs/runner` is not a dependency, so it
 * uses grammY's built-in long polling, `bot.start()`, which handles updates one at a time.
 *
 *   TELEGRAM_BOT_TOKEN=… TELEGRAM_API_ROOT=http://127.0.0.1:PORT npx tsx bench/support/grammy-echo-bot.ts
 */
import { Bot } from 'grammy';

const token = process.env.TELEGRAM_BOT_TOKEN;
const apiRoot = process.env.TELEGRAM_API_ROOT;
if (!token || !apiRoot) {
  process.stderr.write('set TELEGRAM_BOT_TOKEN and TELEGRAM_API_ROOT\n');
  process.exit(78);
}

const bot = new Bot(token, { client: { apiRoot } });
bot.on('message:text', (ctx) => ctx.reply(ctx.message.text));
bot.catch((err) => process.stderr.write(`echo bot handler failed: ${String(err.error)}\n`));

const stop = (): void => {
  void bot.stop().then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

void bot.start({
  onStart: () => {
    process.stdout.write('echo bot polling\n');
  },
});
