import type { MiddlewareFn } from 'grammy';
import type { Logger } from '../../log/index.js';
import { updateKind } from '../../updates/index.js';
import type { BotContext } from './context.js';
import type { IgnoredUpdates } from './ignored-updates.js';
import type { OwnerAuth } from './owner-auth.js';
import { replyText } from './reply.js';

/**
 * Lets only the owner through. Strangers get no reply at all (their user id is
 * logged, never their text), except a short notice when they tap a button, since
 * Telegram keeps a spinner on an unanswered tap. Before anyone owns the bot,
 * `/start <code>` with the pairing code makes its sender the owner. The owner is
 * answered in private chats, and in groups only with TELEGRAM_OWNER_IN_GROUPS.
 */
export function ownerGuard(auth: OwnerAuth, log: Logger, options: { ownerInGroups: boolean; ignored: IgnoredUpdates }): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (ctx.channel === 'terminal') return next();
    const userId = ctx.from?.id;
    // Groups are off by default: answers draw on personal context that the group would see.
    if (auth.isOwner(userId) && (ctx.chat === undefined || ctx.chat.type === 'private' || options.ownerInGroups)) return next();

    const pairing = auth.ownerId === undefined && userId !== undefined ? /^\/start(?:@\w+)?\s+([A-Za-z0-9]{6,64})\s*$/.exec(ctx.message?.text ?? '') : null;
    if (pairing?.[1] && userId !== undefined && ctx.chat?.type === 'private') {
      if (await auth.tryPair(userId, pairing[1])) {
        log.info({ userId }, 'owner paired with the one-time code');
        await replyText(ctx, "Paired. You are my owner now; I answer nobody else. Send /help to see what I can do.");
        return;
      }
      log.info({ userId }, 'wrong pairing code');
      options.ignored.mark(ctx.update);
      return;
    }

    log.info({ userId, chatId: ctx.chat?.id, kind: updateKind(ctx.update) }, 'ignored update from someone who is not the owner');
    options.ignored.mark(ctx.update);
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: 'These buttons only work for my owner.' }).catch(() => undefined);
    }
  };
}
