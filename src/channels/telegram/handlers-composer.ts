import { Context, type CallbackQueryContext, type CommandContext, type Filter, type MiddlewareFn } from 'grammy';
import type { ButtonPress, ChatHandler, ChatHandlers, ChatTurn, CommandRequest, ReplyOptions, TextMessage } from '../../commands/index.js';
import type { BotContext } from './context.js';
import type { IgnoredUpdates } from './ignored-updates.js';
import { inlineKeyboard } from './inline-keyboard.js';
import { replyText } from './reply.js';
import { editText, type SendTextOptions } from './send-text.js';

/** One handler, tried against an update: 'done' ends the search, 'next' tries the following one. */
type Step = (ctx: BotContext) => Promise<'done' | 'next'>;

const isText = Context.has.filterQuery('message:text');

/**
 * A feature's handlers as one grammY middleware, tried in their order: commands as
 * `bot.command` matches them, buttons as `bot.callbackQuery`, free text as
 * `bot.on('message:text')`. A handler that answers `'pass'` hands the update on, as
 * `next()` does; when every handler passed or none matched, the next middleware runs.
 * `ignored` is where `keepNoCopy` marks an update; without it (unit tests) that mark is dropped.
 *
 * The matching is grammY's own (`Context.has`, which also sets `ctx.match`), but the
 * handlers are walked here instead of through `composer.command`/`on`: those wrap each
 * handler in a `branch`, which builds a fresh Composer for every handler on every update,
 * and an update that reaches the last feature paid that for every handler before it.
 */
export function handlersComposer(handlers: ChatHandlers, ignored?: IgnoredUpdates): MiddlewareFn<BotContext> {
  const steps = handlers.list.map((handler) => step(handler, ignored));
  return async (ctx, next) => {
    for (const tryHandler of steps) if ((await tryHandler(ctx)) === 'done') return;
    await next();
  };
}

function step(handler: ChatHandler, ignored: IgnoredUpdates | undefined): Step {
  switch (handler.kind) {
    case 'command': {
      const matches = Context.has.command(handler.commands);
      return async (ctx) => {
        if (!matches(ctx)) return 'next';
        return (await handler.handle(commandRequest(ctx, ignored))) === 'pass' ? 'next' : 'done';
      };
    }
    case 'button': {
      const matches = Context.has.callbackQuery(handler.data);
      return async (ctx) => {
        if (!matches(ctx)) return 'next';
        await handler.handle(buttonPress(ctx));
        return 'done';
      };
    }
    case 'text':
      return async (ctx) => {
        if (!isText(ctx)) return 'next';
        return (await handler.handle(textMessage(ctx))) === 'pass' ? 'next' : 'done';
      };
  }
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
