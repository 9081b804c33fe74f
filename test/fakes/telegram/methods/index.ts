// The methods the fake answers. Keys are lower case: the Bot API matches method names
// case-insensitively. getUpdates is handled by the server because it holds the request open.
import type { FakeState } from '../fake-state.js';
import type { Payload } from '../wire-types.js';
import { deleteMyCommands, getMe, getMyCommands, setMyCommands } from './bot-profile.js';
import { answerCallbackQuery, sendChatAction, sendMessageDraft, setMessageReaction } from './interactions.js';
import { deleteMessage, editMessageReplyMarkup, editMessageText, sendDocument, sendMessage } from './messages.js';
import { deleteWebhook, getWebhookInfo, setWebhook } from './webhook.js';

export type MethodHandler = (state: FakeState, payload: Payload) => unknown;

export const METHODS: ReadonlyMap<string, MethodHandler> = new Map<string, MethodHandler>([
  ['getme', getMe],
  ['setmycommands', setMyCommands],
  ['getmycommands', getMyCommands],
  ['deletemycommands', deleteMyCommands],
  ['sendmessage', sendMessage],
  ['senddocument', sendDocument],
  ['editmessagetext', editMessageText],
  ['editmessagereplymarkup', editMessageReplyMarkup],
  ['deletemessage', deleteMessage],
  ['sendchataction', sendChatAction],
  ['answercallbackquery', answerCallbackQuery],
  ['sendmessagedraft', sendMessageDraft],
  ['setmessagereaction', setMessageReaction],
  ['setwebhook', setWebhook],
  ['deletewebhook', deleteWebhook],
  ['getwebhookinfo', getWebhookInfo],
]);

export { LongPoll, LONG_POLL_MAX_TIMEOUT } from './get-updates.js';
export { Described } from './webhook.js';
