export type { ChatDocument, ChatMessenger } from './chat-messenger.js';
export type { Delivery, OwnerButton, OwnerMessage, OwnerMessenger, SendOptions } from './owner-messenger.js';
export { createDurableMessenger, readQuietHours, type DurableMessengerOptions } from './durable-messenger.js';
export { heldMessages, markDigested, findOwnerMessage, type StoredOwnerMessage } from './owner-messages-repo.js';
export {
  isQuietAt,
  kindOfScope,
  parseQuietHours,
  parseUrgentKinds,
  QUIET_HOURS_PREFERENCE,
  QUIET_HOURS_URGENT_PREFERENCE,
  DEFAULT_URGENT_KINDS,
  type QuietHours,
} from './quiet-hours.js';
export type { ReplyChannel, ReplyStream, ReplyStreamOptions } from './reply-channel.js';
