import { Composer } from 'grammy';
import type { BotContext } from './context.js';
import { replyText } from './reply.js';

/** What happens to anything no feature claimed. Installed last. */
export function fallbacks(): Composer<BotContext> {
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
  return composer;
}
