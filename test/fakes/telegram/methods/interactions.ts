// sendChatAction, answerCallbackQuery, sendMessageDraft (Bot API 9.x), setMessageReaction.
import { badRequest } from '../api-error.js';
import type { FakeState } from '../fake-state.js';
import { formatText } from '../formatted-text.js';
import { boolArg, hasArg, intArg, jsonArg, stringArg } from '../request-args.js';
import type { Payload, TgEntity } from '../wire-types.js';
import { requireChat } from './messages.js';

// sendChatAction "action" values listed in the docs.
const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice',
  'upload_document', 'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

export function sendChatAction(state: FakeState, payload: Payload): true {
  const chat = requireChat(state, payload);
  const action = stringArg(payload, 'action');
  if (!CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
  state.chatActions.push({ chat_id: chat.id, action, time: state.now() });
  return true;
}

/** A callback query can be answered once; unknown or answered ids get QUERY_ID_INVALID's text. */
export function answerCallbackQuery(state: FakeState, payload: Payload): true {
  const record = state.callbackQueries.get(stringArg(payload, 'callback_query_id'));
  if (record === undefined || record.answered) {
    throw badRequest('query is too old and response timeout expired or query ID is invalid');
  }
  record.answered = true;
  record.answer = { ...payload };
  return true;
}

/**
 * sendMessageDraft: chat_id (private chat), draft_id non-zero, text 0-4096 characters after
 * entities parsing (empty shows "Thinking..."), parse_mode / entities, can_stop, keep_on_stop.
 * Every frame is stored; `FakeTelegram.drafts(chatId)` returns them in order.
 */
export function sendMessageDraft(state: FakeState, payload: Payload): true {
  const draftId = intArg(payload, 'draft_id', 0);
  if (draftId === 0) throw badRequest('draft_id must be non-zero');
  const entities = jsonArg(payload, 'entities', 'message entities');
  const formatted = formatText(
    stringArg(payload, 'text'),
    stringArg(payload, 'parse_mode'),
    Array.isArray(entities) ? (entities as TgEntity[]) : undefined,
    { allowEmpty: true },
  );
  if (formatted.unmodelled !== undefined) state.noteUnexpected('sendMessageDraft', formatted.unmodelled);
  const chat = requireChat(state, payload);
  if (chat.type !== 'private') state.noteUnexpected('sendMessageDraft', `chat ${chat.id} is not a private chat`);
  state.drafts.push({
    chat_id: chat.id,
    draft_id: draftId,
    message_thread_id: hasArg(payload, 'message_thread_id') ? intArg(payload, 'message_thread_id', 0) : undefined,
    rawText: stringArg(payload, 'text'),
    parseMode: hasArg(payload, 'parse_mode') ? stringArg(payload, 'parse_mode') : undefined,
    text: formatted.text,
    entities: formatted.entities,
    time: state.now(),
  });
  if (boolArg(payload, 'can_stop')) state.noteUnexpected('sendMessageDraft', 'can_stop is accepted but never triggers stopped_message_generation');
  return true;
}

export function setMessageReaction(state: FakeState, payload: Payload): true {
  const chat = requireChat(state, payload);
  const messageId = intArg(payload, 'message_id', 0);
  const stored = state.chats.get(chat.id, messageId);
  if (stored === undefined || stored.deleted) throw badRequest('message to react not found');
  state.reactions.push({
    chat_id: chat.id,
    message_id: messageId,
    reaction: jsonArg(payload, 'reaction', 'ReactionType array') ?? [],
    time: state.now(),
  });
  return true;
}
