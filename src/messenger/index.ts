export type { Delivery, OwnerButton, OwnerMessage, OwnerMessenger, SendOptions } from './owner-messenger.js';
