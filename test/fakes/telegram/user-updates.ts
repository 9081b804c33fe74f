// Builds the updates a user's client causes: a text message (with the bot_command entities the
// server detects, per tdlib match_bot_commands) and a callback_query from an inline button.
import type { StoredMessage } from './chat-store.js';
import type { TgChat, TgEntity, TgUser } from './wire-types.js';

export interface FakeUserInput {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export function toUser(from: FakeUserInput): TgUser {
  const user: TgUser = { id: from.id, is_bot: false, first_name: from.first_name ?? `User ${from.id}` };
  if (from.last_name !== undefined) user.last_name = from.last_name;
  if (from.username !== undefined) user.username = from.username;
  if (from.language_code !== undefined) user.language_code = from.language_code;
  return user;
}

export function privateChatOf(from: FakeUserInput): TgChat {
  const user = toUser(from);
  const chat: TgChat = { id: user.id, type: 'private', first_name: user.first_name };
  if (user.last_name !== undefined) chat.last_name = user.last_name;
  if (user.username !== undefined) chat.username = user.username;
  return chat;
}

const WORD = /[\p{L}\p{N}_]/u;
const COMMAND = /\/([a-zA-Z0-9_]{1,64})(@[a-zA-Z0-9_]{3,32})?/g;

// '/(?<!\b|[\/<>])\/([a-zA-Z0-9_]{1,64})(?:@([a-zA-Z0-9_]{3,32}))?(?!\B|[\/<>])/u' from tdlib.
export function botCommandEntities(text: string): TgEntity[] {
  const entities: TgEntity[] = [];
  for (const match of text.matchAll(COMMAND)) {
    const start = match.index;
    const end = start + match[0].length;
    const before = start > 0 ? text.charAt(start - 1) : '';
    const after = text.charAt(end);
    if (before !== '' && (WORD.test(before) || '/<>'.includes(before))) continue;
    if (after !== '' && (WORD.test(after) || '/<>'.includes(after) || after === '@')) continue;
    entities.push({ type: 'bot_command', offset: start, length: end - start });
  }
  return entities;
}

export function userTextMessage(
  messageId: number,
  from: FakeUserInput,
  chat: TgChat,
  text: string,
  date: number,
): Omit<StoredMessage, 'message_id'> {
  const entities = botCommandEntities(text);
  const message = {
    message_id: messageId,
    from: toUser(from),
    chat,
    date,
    text,
    ...(entities.length > 0 ? { entities } : {}),
  };
  return {
    chat_id: chat.id,
    sender: 'user',
    rawText: text,
    parseMode: undefined,
    text,
    entities,
    replyMarkup: undefined,
    edited: false,
    editCount: 0,
    deleted: false,
    message,
  };
}

export function hasButton(stored: StoredMessage, data: string): boolean {
  return (stored.replyMarkup?.inline_keyboard ?? []).some((row) => row.some((b) => b.callback_data === data));
}
