import { Composer } from 'grammy';
import type { BotContext } from './context.js';
import type { IgnoredUpdates } from './ignored-updates.js';
import { replyText } from './reply.js';

/** What happens to anything no feature claimed. Installed last; what nothing handles is marked ignored. */
export function fallbacks(ignored: IgnoredUpdates): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  composer.on('message:text', async (ctx) => {
    const command = /^\/([A-Za-z0-9_]+)/.exec(ctx.message.text)?.[1];
    if (command) {
      await replyText(ctx, `I don't know /${command}. /help lists every command.`);
      return;
    }
    await replyText(ctx, "Chat with the local model isn't set up in this build. /help lists what I can do.");
  });
  composer.on('callback_query', async (ctx) => {
    await ctx.answerCallbackQuery({ text: 'This button no longer does anything.' });
  });
  composer.on('message', async (ctx) => {
    await replyText(ctx, 'I can only read text messages for now.');
  });
  // Edited messages, inline queries, channel posts, kinds added after this build: nothing to do.
  composer.use((ctx) => ignored.mark(ctx.update));
  return composer;
}
