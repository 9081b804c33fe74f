// The JSON shapes the fake puts on the wire. Only the fields the fake fills in are declared;
// names and nesting follow https://core.telegram.org/bots/api (User, Chat, Message, MessageEntity,
// CallbackQuery, Update, BotCommand, WebhookInfo).

export type Payload = Record<string, unknown>;

export interface TgUser {
  id: number;
  is_bot: boolean;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface TgBotUser extends TgUser {
  is_bot: true;
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
  can_connect_to_business: boolean;
  has_main_web_app: boolean;
}

export interface TgChat {
  id: number;
  type: 'private' | 'group' | 'supergroup' | 'channel';
  title?: string;
  username?: string;
  first_name?: string;
  last_name?: string;
}

/** MessageEntity: `url` for text_link, `language` for pre, `custom_emoji_id`, `user` for text_mention. */
export interface TgEntity {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  user?: TgUser;
}

export interface TgInlineButton {
  text: string;
  callback_data?: string;
  url?: string;
  [other: string]: unknown;
}

export interface TgInlineKeyboard {
  inline_keyboard: TgInlineButton[][];
}

export interface TgMessage {
  message_id: number;
  from?: TgUser;
  chat: TgChat;
  date: number;
  edit_date?: number;
  text?: string;
  entities?: TgEntity[];
  caption?: string;
  document?: { file_id: string; file_unique_id: string; file_name: string; file_size: number };
  reply_markup?: TgInlineKeyboard;
  reply_to_message?: TgMessage;
}

export interface TgCallbackQuery {
  id: string;
  from: TgUser;
  message: TgMessage;
  chat_instance: string;
  data: string;
}

/** An Update; exactly one optional field besides update_id is set. */
export interface TgUpdate {
  update_id: number;
  [updateType: string]: unknown;
}

export interface TgBotCommand {
  command: string;
  description: string;
}
