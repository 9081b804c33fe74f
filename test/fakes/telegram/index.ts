// Public surface of the fake Telegram Bot API server used by tests and benchmarks.
export {
  DEFAULT_TOKEN,
  startFakeTelegram,
  type FakeTelegram,
  type FakeTelegramOptions,
  type PressButtonOptions,
} from './fake-telegram.js';
export {
  badRequest,
  conflict,
  tooManyRequests,
  TelegramApiError,
  OTHER_GET_UPDATES,
  TERMINATED_BY_SET_WEBHOOK,
  WEBHOOK_ACTIVE,
  type ResponseParameters,
} from './api-error.js';
export type { RecordedCall, UnexpectedEntry } from './call-log.js';
export type { StoredMessage } from './chat-store.js';
export type {
  CallbackQueryRecord,
  ChatActionRecord,
  DraftRecord,
  ReactionRecord,
  WebhookState,
} from './fake-state.js';
export type { InjectedError } from './fault-plan.js';
export { formatText, MAX_MESSAGE_LENGTH, type FormattedText } from './formatted-text.js';
export { EntityParseError, parseHtml, type ParsedText } from './html-parser.js';
export { LONG_POLL_MAX_TIMEOUT } from './methods/index.js';
export { MAX_CALLBACK_DATA_BYTES } from './reply-markup.js';
export { NOT_DELIVERED_BY_DEFAULT } from './update-queue.js';
export { botCommandEntities, type FakeUserInput } from './user-updates.js';
export type {
  TgBotCommand,
  TgBotUser,
  TgCallbackQuery,
  TgChat,
  TgEntity,
  TgInlineButton,
  TgInlineKeyboard,
  TgMessage,
  TgUpdate,
  TgUser,
} from './wire-types.js';
