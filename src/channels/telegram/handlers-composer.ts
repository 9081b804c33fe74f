import { Composer, type CallbackQueryContext, type CommandContext, type Filter } from 'grammy';
import type { ButtonPress, ChatHandlers, ChatTurn, CommandRequest, ReplyOptions, TextMessage } from '../../commands/index.js';
import type { BotContext } from './context.js';
import type { IgnoredUpdates } from './ignored-updates.js';
import { inlineKeyboard } from './inline-keyboard.js';
import { replyText } from './reply.js';
import { editText, type SendTextOptions } from './send-text.js';

/**
 * A feature's handlers as one grammY Composer, in their order: commands with `command`,
 * buttons with `callbackQuery`, free text with `message:text`. A handler that answers
 * `'pass'` hands the update on, as `next()` does. `ignored` is where `keepNoCopy` marks
 * an update; without it (unit tests) that mark is dropped.
 */
export function handlersComposer(handlers: ChatHandlers, ignored?: IgnoredUpdates): Composer<BotContext> {
  const composer = new Composer<BotContext>();
  for (const handler of handlers.list) {
    switch (handler.kind) {
      case 'command':
        composer.command(handler.commands, async (ctx, next) => {
          if ((await handler.handle(commandRequest(ctx, ignored))) === 'pass') await next();
        });
        break;
      case 'button':
        composer.callbackQuery(handler.data, async (ctx) => {
          await handler.handle(buttonPress(ctx));
        });
        break;
      case 'text':
        composer.on('message:text', async (ctx, next) => {
          if ((await handler.handle(textMessage(ctx))) === 'pass') await next();
        });
        break;
    }
  }
  return composer;
}

function chatTurn(ctx: BotContext): ChatTurn {
  return {
    chatId: ctx.chat?.id,
    privateChat: ctx.chat?.type === 'private',
    updateId: ctx.update.update_id,
    reply: async (text, options) => (await replyText(ctx, text, sendOptions(options))).map((message) => message.message_id),
    typing: async () => {
      await ctx.replyWithChatAction('typing');
    },
  };
}

function commandRequest(ctx: CommandContext<BotContext>, ignored: IgnoredUpdates | undefined): CommandRequest {
  const message = ctx.message;
  return {
    ...chatTurn(ctx),
    chatId: ctx.chat.id,
    args: ctx.match,
    messageId: ctx.msg.message_id,
    // `forward_date` is what Bot API versions before 7.0 sent for forwards; a channel post is nobody's own command either.
    forwarded: !message || message.forward_origin !== undefined || 'forward_date' in message,
    keepNoCopy: () => ignored?.mark(ctx.update),
    deleteMessage: async () => {
      await ctx.deleteMessage();
    },
  };
}

function textMessage(ctx: Filter<BotContext, 'message:text'>): TextMessage {
  return { ...chatTurn(ctx), chatId: ctx.chat.id, text: ctx.message.text };
}

function buttonPress(ctx: CallbackQueryContext<BotContext>): ButtonPress {
  return {
    ...chatTurn(ctx),
    data: ctx.callbackQuery.data,
    answer: async (text) => {
      await (text === undefined ? ctx.answerCallbackQuery() : ctx.answerCallbackQuery({ text }));
    },
    edit: async (text, options) => {
      const message = ctx.callbackQuery.message;
      if (!message) return;
      await editText(ctx.api, message.chat.id, message.message_id, text, sendOptions(options));
    },
    setButtons: async (buttons) => {
      await ctx.editMessageReplyMarkup({ reply_markup: inlineKeyboard(buttons) });
    },
  };
}

function sendOptions(options: ReplyOptions | undefined): SendTextOptions {
  return { ...(options?.html ? { html: true } : {}), ...(options?.buttons ? { buttons: inlineKeyboard(options.buttons) } : {}) };
}
