import type { OwnerMessage } from './owner-messenger.js';

/**
 * Messages in a given chat that are later edited in place: approval requests with their
 * buttons, then the outcome under them. The channel (Telegram) implements it; logic
 * never sees the Bot API. Sends every time it is called (no idempotency, no quiet hours:
 * these answer something the owner just did).
 */
export interface ChatMessenger {
  /** Sends the message; returns the ids of the parts sent, in order (buttons sit on the last). Throws what the channel throws. */
  sendTo(chatId: number, message: OwnerMessage): Promise<number[]>;
  /** Replaces a message's text (and removes its buttons unless new ones are given). "Not modified" is not an error. */
  edit(chatId: number, messageId: number, message: OwnerMessage): Promise<void>;
  /** Sends a text file as an attachment (a capability's code), with an optional caption. Throws what the channel throws. */
  sendDocument(chatId: number, document: ChatDocument): Promise<void>;
}

export interface ChatDocument {
  /** The file name the owner sees, e.g. `rates-v2.js`. */
  name: string;
  /** The file's text (sent as UTF-8). */
  content: string;
  caption?: string;
}
