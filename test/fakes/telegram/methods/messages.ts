// sendMessage, editMessageText, editMessageReplyMarkup, deleteMessage.
// Order of checks follows the Bot API server: the text and markup are parsed first (parse errors,
// empty, too long), then the chat and the message are looked up.
import { badRequest } from '../api-error.js';
import type { StoredMessage } from '../chat-store.js';
import type { FakeState } from '../fake-state.js';
import { formatText, type FormattedText } from '../formatted-text.js';
import { readReplyMarkup } from '../reply-markup.js';
import { boolArg, hasArg, intArg, jsonArg, stringArg, type UploadedFile } from '../request-args.js';
import type { Payload, TgChat, TgEntity, TgInlineKeyboard, TgMessage } from '../wire-types.js';

const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message';

export function requireChat(state: FakeState, payload: Payload): TgChat {
  if (!hasArg(payload, 'chat_id')) throw badRequest('chat_id is empty');
  const chat = state.chats.resolve(stringArg(payload, 'chat_id').trim());
  if (chat === undefined) throw badRequest('chat not found');
  return chat;
}

function readEntities(payload: Payload): TgEntity[] | undefined {
  const value = jsonArg(payload, 'entities', 'message entities');
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw badRequest("can't parse entities JSON object");
  return value as TgEntity[];
}

function readText(state: FakeState, method: string, payload: Payload): FormattedText {
  const formatted = formatText(stringArg(payload, 'text'), stringArg(payload, 'parse_mode'), readEntities(payload));
  if (formatted.unmodelled !== undefined) state.noteUnexpected(method, formatted.unmodelled);
  return formatted;
}

function parseModeOf(payload: Payload): string | undefined {
  return hasArg(payload, 'parse_mode') ? stringArg(payload, 'parse_mode') : undefined;
}

function buildMessage(state: FakeState, stored: Omit<StoredMessage, 'message'>, chat: TgChat, date: number): TgMessage {
  const { id, is_bot, first_name, username } = state.bot;
  const message: TgMessage = {
    message_id: stored.message_id,
    from: { id, is_bot, first_name, ...(username === undefined ? {} : { username }) },
    chat,
    date,
    text: stored.text,
  };
  if (stored.entities.length > 0) message.entities = stored.entities;
  if (stored.replyMarkup !== undefined) message.reply_markup = stored.replyMarkup;
  return message;
}

export function sendMessage(state: FakeState, payload: Payload): TgMessage {
  const formatted = readText(state, 'sendMessage', payload);
  const markup = readReplyMarkup(payload);
  const chat = requireChat(state, payload);
  const replyTo = replyTarget(state, payload, chat.id);
  const date = Math.floor(state.now() / 1000);
  const stored = state.chats.addMessage(chat.id, (messageId) => {
    const base = {
      chat_id: chat.id,
      message_id: messageId,
      sender: 'bot' as const,
      rawText: stringArg(payload, 'text'),
      parseMode: parseModeOf(payload),
      text: formatted.text,
      entities: formatted.entities,
      replyMarkup: markup.inline,
      edited: false,
      editCount: 0,
      deleted: false,
    };
    const message = buildMessage(state, base, chat, date);
    if (replyTo !== undefined) message.reply_to_message = replyTo.message;
    return { ...base, message };
  });
  return stored.message;
}

/** sendDocument with a file uploaded as multipart (file_id and URL forms are not modelled). */
export function sendDocument(state: FakeState, payload: Payload): TgMessage {
  const file = payload['document'];
  if (typeof file !== 'object' || file === null || !('fileName' in file) || !('content' in file)) {
    if (hasArg(payload, 'document')) state.noteUnexpected('sendDocument', 'only uploaded files are modelled, not file_id or URL');
    throw badRequest('there is no document in the request');
  }
  const upload = file as UploadedFile;
  const chat = requireChat(state, payload);
  const caption = hasArg(payload, 'caption') ? stringArg(payload, 'caption') : '';
  const date = Math.floor(state.now() / 1000);
  const stored = state.chats.addMessage(chat.id, (messageId) => {
    const base = {
      chat_id: chat.id,
      message_id: messageId,
      sender: 'bot' as const,
      rawText: caption,
      parseMode: undefined,
      text: caption,
      entities: [],
      replyMarkup: undefined,
      edited: false,
      editCount: 0,
      deleted: false,
      document: upload,
    };
    const { id, is_bot, first_name, username } = state.bot;
    const message: TgMessage = {
      message_id: messageId,
      from: { id, is_bot, first_name, ...(username === undefined ? {} : { username }) },
      chat,
      date,
      document: { file_id: `doc-${messageId}`, file_unique_id: `udoc-${messageId}`, file_name: upload.fileName, file_size: Buffer.byteLength(upload.content) },
      ...(caption ? { caption } : {}),
    };
    return { ...base, message };
  });
  return stored.message;
}

function replyTarget(state: FakeState, payload: Payload, chatId: number): StoredMessage | undefined {
  const parameters = jsonArg(payload, 'reply_parameters', 'reply parameters');
  let messageId = intArg(payload, 'reply_to_message_id', 0);
  let allowWithout = boolArg(payload, 'allow_sending_without_reply');
  if (parameters !== null && typeof parameters === 'object' && !Array.isArray(parameters)) {
    const fields = parameters as Record<string, unknown>;
    if (typeof fields['message_id'] === 'number') messageId = fields['message_id'];
    if (fields['allow_sending_without_reply'] === true) allowWithout = true;
  }
  if (messageId <= 0) return undefined;
  const target = state.chats.get(chatId, messageId);
  if (target === undefined || target.deleted) {
    if (allowWithout) return undefined;
    throw badRequest('message to be replied not found');
  }
  return target;
}

function requireEditable(state: FakeState, method: string, payload: Payload): StoredMessage {
  if (hasArg(payload, 'inline_message_id')) {
    state.noteUnexpected(method, 'inline_message_id is not modelled by the fake');
    throw badRequest('MESSAGE_ID_INVALID');
  }
  const chat = requireChat(state, payload);
  if (!hasArg(payload, 'message_id')) throw badRequest('message identifier is not specified');
  const stored = state.chats.get(chat.id, intArg(payload, 'message_id', 0));
  if (stored === undefined || stored.deleted) throw badRequest('message to edit not found');
  if (stored.sender !== 'bot') throw badRequest("message can't be edited");
  return stored;
}

function sameMarkup(a: TgInlineKeyboard | undefined, b: TgInlineKeyboard | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function applyEdit(state: FakeState, stored: StoredMessage): TgMessage {
  stored.edited = true;
  stored.editCount++;
  const message = buildMessage(state, stored, stored.message.chat, stored.message.date);
  message.edit_date = Math.floor(state.now() / 1000);
  stored.message = message;
  return message;
}

/** editMessageText: without reply_markup the inline keyboard is removed, as on Telegram. */
export function editMessageText(state: FakeState, payload: Payload): TgMessage {
  const formatted = readText(state, 'editMessageText', payload);
  const markup = readReplyMarkup(payload);
  const stored = requireEditable(state, 'editMessageText', payload);
  if (
    stored.text === formatted.text &&
    JSON.stringify(stored.entities) === JSON.stringify(formatted.entities) &&
    sameMarkup(stored.replyMarkup, markup.inline)
  ) {
    throw badRequest(NOT_MODIFIED);
  }
  stored.rawText = stringArg(payload, 'text');
  stored.parseMode = parseModeOf(payload);
  stored.text = formatted.text;
  stored.entities = formatted.entities;
  stored.replyMarkup = markup.inline;
  return applyEdit(state, stored);
}

export function editMessageReplyMarkup(state: FakeState, payload: Payload): TgMessage {
  const markup = readReplyMarkup(payload);
  const stored = requireEditable(state, 'editMessageReplyMarkup', payload);
  if (sameMarkup(stored.replyMarkup, markup.inline)) throw badRequest(NOT_MODIFIED);
  stored.replyMarkup = markup.inline;
  return applyEdit(state, stored);
}

export function deleteMessage(state: FakeState, payload: Payload): true {
  const chat = requireChat(state, payload);
  if (!hasArg(payload, 'message_id')) throw badRequest('message identifier is not specified');
  const stored = state.chats.get(chat.id, intArg(payload, 'message_id', 0));
  if (stored === undefined || stored.deleted) throw badRequest('message to delete not found');
  stored.deleted = true;
  return true;
}
