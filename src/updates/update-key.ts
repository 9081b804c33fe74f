import type { InboxUpdate } from './inbox-update.js';

/** What kind of update this is: the first field besides `update_id` (`message`, `callback_query`, …). */
export function updateKind(update: InboxUpdate): string {
  for (const key of Object.keys(update)) if (key !== 'update_id') return key;
  return 'unknown';
}

/**
 * The ordering key: updates with the same key are handled one after another, in
 * update_id order; different keys run concurrently. A chat is the natural unit
 * (a reply must not overtake the message before it); updates without a chat fall
 * back to their sender, and the rest share one lane.
 */
export function orderingKey(update: InboxUpdate): string {
  const chatId =
    update.message?.chat.id ??
    update.edited_message?.chat.id ??
    update.callback_query?.message?.chat.id ??
    update.channel_post?.chat.id ??
    update.edited_channel_post?.chat.id ??
    update.my_chat_member?.chat.id ??
    update.chat_member?.chat.id ??
    update.chat_join_request?.chat.id ??
    update.message_reaction?.chat.id;
  if (chatId !== undefined) return `chat:${chatId}`;
  const userId =
    update.callback_query?.from.id ?? update.inline_query?.from.id ?? update.chosen_inline_result?.from.id ?? update.pre_checkout_query?.from.id ?? update.shipping_query?.from.id;
  if (userId !== undefined) return `user:${userId}`;
  return 'other';
}
