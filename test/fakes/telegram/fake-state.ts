// Everything the fake remembers, shared by the method handlers and the test controls.
import type { ChatStore } from './chat-store.js';
import type { LongPoll } from './methods/get-updates.js';
import type { UpdateQueue } from './update-queue.js';
import type { Payload, TgBotCommand, TgBotUser, TgEntity, TgUpdate } from './wire-types.js';

export interface DraftRecord {
  chat_id: number;
  draft_id: number;
  message_thread_id: number | undefined;
  rawText: string;
  parseMode: string | undefined;
  text: string;
  entities: TgEntity[];
  time: number;
}

export interface ChatActionRecord {
  chat_id: number;
  action: string;
  time: number;
}

export interface CallbackQueryRecord {
  id: string;
  update: TgUpdate;
  answered: boolean;
  answer: Payload | undefined;
}

export interface WebhookState {
  url: string;
  secretToken: string | undefined;
  setAt: number;
}

export interface ReactionRecord {
  chat_id: number;
  message_id: number;
  reaction: unknown;
  time: number;
}

export interface FakeState {
  bot: TgBotUser;
  chats: ChatStore;
  queue: UpdateQueue;
  poll: LongPoll;
  webhook: WebhookState | undefined;
  /** Commands per `scope|language_code`. */
  commands: Map<string, TgBotCommand[]>;
  /** Every draft frame in arrival order. */
  drafts: DraftRecord[];
  chatActions: ChatActionRecord[];
  callbackQueries: Map<string, CallbackQueryRecord>;
  reactions: ReactionRecord[];
  simulateConflict: boolean;
  /** ms clock used for Message.date and records. */
  now: () => number;
  /** Records something the fake was asked to do but does not model. */
  noteUnexpected: (method: string, reason: string) => void;
  /** Tells waiters that recorded state changed. */
  changed: () => void;
}
