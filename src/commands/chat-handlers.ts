import type { OwnerButton } from '../messenger/index.js';

/** Rows of buttons under a message: each carries callback data or a link. */
export type Buttons = OwnerButton[][];

export interface ReplyOptions {
  /** The text is Telegram HTML (escaped); otherwise Markdown, converted by the channel. */
  html?: boolean;
  /** On the last part of the reply; an empty list sends an explicitly empty keyboard. */
  buttons?: Buttons;
}

/** What every handler can do in the chat its update came from. */
export interface ChatTurn {
  /** The chat the update came from; undefined only for a button on a message the channel no longer names. */
  chatId: number | undefined;
  privateChat: boolean;
  updateId: number;
  /** Sends in that chat (split to fit); returns the ids of the parts sent. Throws what the channel throws. */
  reply(text: string, options?: ReplyOptions): Promise<number[]>;
  /** Shows "typing…" once. Throws what the channel throws. */
  typing(): Promise<void>;
}

/** A `/command` from the owner. */
export interface CommandRequest extends ChatTurn {
  chatId: number;
  /** Everything after the command, as typed (not trimmed). */
  args: string;
  /** The owner's message id, when the channel has one. */
  messageId: number | undefined;
  /** Forwarded from someone else: it never counts as the owner's own command. */
  forwarded: boolean;
  /** Once handled, the inbox keeps only this update's id and kind (its text holds a secret). */
  keepNoCopy(): void;
  /** Deletes the owner's message. Throws what the channel throws. */
  deleteMessage(): Promise<void>;
}

/** A plain text message (not a command) from the owner. */
export interface TextMessage extends ChatTurn {
  chatId: number;
  text: string;
}

/** A tap on one of our buttons. */
export interface ButtonPress extends ChatTurn {
  data: string;
  /** Stops the button's spinner, with a short notice when `text` is given. Throws what the channel throws. */
  answer(text?: string): Promise<void>;
  /**
   * Replaces the text of the message the button sits on (its buttons go unless new ones are
   * given); "not modified" is not an error. Does nothing when the channel no longer names it.
   */
  edit(text: string, options?: ReplyOptions): Promise<void>;
  /** Replaces the buttons of that message only. Throws what the channel throws. */
  setButtons(buttons: Buttons): Promise<void>;
}

/** `'pass'` lets the update go on to the handlers after this one (as if it were not this one's). */
export type Passable = void | 'pass';

export type ChatHandler =
  | { kind: 'command'; commands: string[]; handle: (request: CommandRequest) => Promise<Passable> }
  | { kind: 'button'; data: string | RegExp; handle: (press: ButtonPress) => Promise<void> }
  | { kind: 'text'; handle: (message: TextMessage) => Promise<Passable> };

/**
 * A feature's commands, buttons and free-text handlers, in the order they see updates. The
 * channel turns them into its own router (Telegram: one grammY middleware); features never
 * see the channel's SDK. The /help list stays in the CommandRegistry, filled by the feature.
 */
export class ChatHandlers {
  readonly #handlers: ChatHandler[] = [];

  get list(): readonly ChatHandler[] {
    return this.#handlers;
  }

  command(command: string | string[], handle: (request: CommandRequest) => Promise<Passable>): this {
    this.#handlers.push({ kind: 'command', commands: Array.isArray(command) ? command : [command], handle });
    return this;
  }

  /** Taps whose data equals `data`, or matches it when it is a pattern. */
  button(data: string | RegExp, handle: (press: ButtonPress) => Promise<void>): this {
    this.#handlers.push({ kind: 'button', data, handle });
    return this;
  }

  /** Text messages, commands included (a handler passes what is not its own). */
  text(handle: (message: TextMessage) => Promise<Passable>): this {
    this.#handlers.push({ kind: 'text', handle });
    return this;
  }

  /** Appends another set's handlers after these, in their order. */
  use(...others: ChatHandlers[]): this {
    for (const other of others) this.#handlers.push(...other.list);
    return this;
  }
}
