interface FromChat {
  chat: { id: number };
}

interface FromUser {
  from: { id: number };
}

/**
 * What the inbox reads of a Telegram update: its id and where it came from (the chat, else
 * the sender), which picks its ordering lane. Everything else is stored and handed back
 * as received; only the Telegram channel knows the full type (grammY's `Update` fits this).
 */
export interface InboxUpdate {
  update_id: number;
  message?: FromChat;
  edited_message?: FromChat;
  callback_query?: FromUser & { message?: FromChat };
  channel_post?: FromChat;
  edited_channel_post?: FromChat;
  my_chat_member?: FromChat;
  chat_member?: FromChat;
  chat_join_request?: FromChat;
  message_reaction?: FromChat;
  inline_query?: FromUser;
  chosen_inline_result?: FromUser;
  pre_checkout_query?: FromUser;
  shipping_query?: FromUser;
}
