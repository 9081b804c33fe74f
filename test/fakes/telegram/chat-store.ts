// Per-chat message history. message_id increases by one per chat and is shared by the user's and
// the bot's messages, as in a private chat.
import type { TgChat, TgEntity, TgInlineKeyboard, TgMessage } from './wire-types.js';

export interface StoredMessage {
  chat_id: number;
  message_id: number;
  sender: 'bot' | 'user';
  /** The text as sent (HTML source when parse_mode is HTML). */
  rawText: string;
  parseMode: string | undefined;
  /** The text after entity parsing, as Telegram shows it. */
  text: string;
  entities: TgEntity[];
  replyMarkup: TgInlineKeyboard | undefined;
  edited: boolean;
  editCount: number;
  deleted: boolean;
  /** sendDocument: the file as uploaded (text is the caption). */
  document?: { fileName: string; content: string };
  /** The Message object as Telegram would return it now. */
  message: TgMessage;
}

interface ChatState {
  chat: TgChat;
  nextMessageId: number;
  messages: Map<number, StoredMessage>;
}

export class ChatStore {
  private readonly chats = new Map<number, ChatState>();
  private readonly botMessageLog: StoredMessage[] = [];

  /** Registers (or refreshes) a chat the bot may talk to. */
  add(chat: TgChat): void {
    const existing = this.chats.get(chat.id);
    if (existing !== undefined) existing.chat = { ...existing.chat, ...chat };
    else this.chats.set(chat.id, { chat: { ...chat }, nextMessageId: 1, messages: new Map() });
  }

  /** Resolves a chat_id parameter (integer or @username) to a known chat. */
  resolve(chatId: string): TgChat | undefined {
    if (chatId.startsWith('@')) {
      const username = chatId.slice(1).toLowerCase();
      for (const state of this.chats.values()) {
        if (state.chat.username?.toLowerCase() === username) return state.chat;
      }
      return undefined;
    }
    if (!/^-?\d+$/.test(chatId)) return undefined;
    return this.chats.get(Number(chatId))?.chat;
  }

  get(chatId: number, messageId: number): StoredMessage | undefined {
    return this.chats.get(chatId)?.messages.get(messageId);
  }

  addMessage(chatId: number, build: (messageId: number) => Omit<StoredMessage, 'message_id'>): StoredMessage {
    const state = this.chats.get(chatId);
    if (state === undefined) throw new Error(`chat ${chatId} is not known to the fake`);
    const messageId = state.nextMessageId++;
    const stored: StoredMessage = { ...build(messageId), message_id: messageId };
    state.messages.set(messageId, stored);
    if (stored.sender === 'bot') this.botMessageLog.push(stored);
    return stored;
  }

  botMessages(chatId?: number): StoredMessage[] {
    return chatId === undefined
      ? [...this.botMessageLog]
      : this.botMessageLog.filter((message) => message.chat_id === chatId);
  }

  history(chatId: number): StoredMessage[] {
    return [...(this.chats.get(chatId)?.messages.values() ?? [])];
  }
}
