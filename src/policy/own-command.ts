import type { BotContext } from '../channels/telegram/index.js';

/**
 * Whether a command is the owner's own words: a forwarded message keeps the
 * original's `/command` entity, but someone else wrote it, so it never counts
 * as the owner's command for anything that loosens a safeguard.
 */
export function isOwnCommand(ctx: BotContext): boolean {
  const message = ctx.message;
  if (!message) return false;
  // `forward_date` is what Bot API versions before 7.0 sent for forwards.
  return message.forward_origin === undefined && !('forward_date' in message);
}

export const FORWARDED_REFUSAL = 'That was a forwarded message, so I did not treat it as your command. Type it yourself to use it.';
