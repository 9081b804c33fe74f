import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Transformer } from 'grammy';
import type { InlineKeyboardButton, Update } from 'grammy/types';
import { htmlToPlainText } from '../telegram/format/index.js';

/** The chat id terminal updates use; Telegram never assigns it, so nothing real collides. */
export const TERMINAL_CHAT_ID = -1;

export interface TerminalChannelOptions {
  input: Readable;
  output: Writable;
  /** Runs one made-up update through the same router as Telegram's. */
  handle: (update: Update) => Promise<void>;
  /** The user the terminal acts as (the owner when known). */
  userId: () => number;
  /** Called when the input ends (Ctrl-D, or a closed pipe). */
  onClose: () => void;
}

/**
 * The assistant over stdin/stdout: each line becomes a message update from the
 * owner, handled by the same bot middleware as Telegram's; Bot API calls aimed at
 * the terminal chat are rendered here instead of being sent. Buttons show as
 * numbers: typing the number taps the button.
 */
export class TerminalChannel {
  readonly #options: TerminalChannelOptions;
  readonly #updates = new WeakSet<Update>();
  #rl: readline.Interface | undefined;
  #nextUpdateId = 1;
  #nextMessageId = 1;
  #buttons: Array<{ text: string; data: string; messageId: number }> = [];
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  /** The draft being streamed to the terminal: its id and the text already printed. */
  #draft: { id: number; printed: string } | undefined;
  /** What each message shown here says now, so an edit prints only what it changes. */
  readonly #shown = new Map<number, string>();

  constructor(options: TerminalChannelOptions) {
    this.#options = options;
  }

  isTerminalUpdate = (update: Update): boolean => this.#updates.has(update);

  /** Intercepts every Bot API call addressed to the terminal chat. */
  transformer(): Transformer {
    return async (prev, method, payload, signal) => {
      const chatId = 'chat_id' in payload ? payload.chat_id : undefined;
      const callbackId = 'callback_query_id' in payload ? payload.callback_query_id : undefined;
      const forTerminal = chatId === TERMINAL_CHAT_ID || (typeof callbackId === 'string' && callbackId.startsWith('terminal-'));
      if (!forTerminal) return prev(method, payload, signal);
      // Rendered locally; the result mimics what Telegram would answer.
      return { ok: true, result: this.#render(method, payload) } as Awaited<ReturnType<typeof prev>>;
    };
  }

  start(): void {
    const rl = readline.createInterface({ input: this.#options.input, output: this.#options.output, terminal: false });
    this.#rl = rl;
    this.#print('Terminal channel: type a message, or /help. Ctrl-D leaves.');
    rl.on('line', (line) => {
      const text = line.trim();
      if (text === '') return;
      this.#chain = this.#chain.then(() => this.#submit(text));
    });
    rl.on('close', () => {
      this.#closed = true;
      void this.#chain.then(() => this.#options.onClose());
    });
  }

  /** Waits for the line being handled, then stops reading. */
  async stop(): Promise<void> {
    this.#rl?.close();
    await this.#chain;
  }

  /** Prints a line from the daemon itself (pairing code, notices). */
  notice(text: string): void {
    this.#print(text);
  }

  async #submit(text: string): Promise<void> {
    const update = this.#toUpdate(text);
    this.#updates.add(update);
    try {
      await this.#options.handle(update);
    } catch {
      // The handler already printed "Something went wrong…" to this terminal.
    }
  }

  #toUpdate(text: string): Update {
    const from = { id: this.#options.userId(), is_bot: false, first_name: 'Owner' };
    const chat = { id: TERMINAL_CHAT_ID, type: 'private' as const, first_name: 'Owner' };
    const updateId = this.#nextUpdateId++;
    const date = Math.floor(Date.now() / 1000);
    const choice = /^\d{1,2}$/.test(text) ? this.#buttons[Number(text) - 1] : undefined;
    if (choice) {
      this.#buttons = [];
      return {
        update_id: updateId,
        callback_query: {
          id: `terminal-${updateId}`,
          from,
          chat_instance: 'terminal',
          data: choice.data,
          message: { message_id: choice.messageId, date, chat, text: '' },
        },
      };
    }
    const command = /^\/[A-Za-z0-9_]+/.exec(text);
    return {
      update_id: updateId,
      message: {
        message_id: this.#nextMessageId++,
        date,
        chat,
        from,
        text,
        ...(command ? { entities: [{ type: 'bot_command' as const, offset: 0, length: command[0].length }] } : {}),
      },
    };
  }

  #render(method: string, payload: Record<string, unknown>): unknown {
    const text = typeof payload.text === 'string' ? (payload.parse_mode === 'HTML' ? htmlToPlainText(payload.text) : payload.text) : '';
    const date = Math.floor(Date.now() / 1000);
    const chat = { id: TERMINAL_CHAT_ID, type: 'private', first_name: 'Owner' };
    switch (method) {
      case 'sendMessageDraft':
        this.#renderDraft(typeof payload.draft_id === 'number' ? payload.draft_id : 0, text);
        return true;
      case 'sendMessage': {
        const messageId = this.#nextMessageId++;
        this.#remember(messageId, text);
        if (this.#endDraft(text)) {
          this.#showButtons(payload.reply_markup, messageId);
          return { message_id: messageId, date, chat, text };
        }
        this.#print(`Z › ${text}`);
        this.#showButtons(payload.reply_markup, messageId);
        return { message_id: messageId, date, chat, text };
      }
      case 'editMessageText': {
        const messageId = typeof payload.message_id === 'number' ? payload.message_id : 0;
        const before = this.#shown.get(messageId);
        this.#remember(messageId, text);
        // An edit that appends (a button's outcome under a request) prints only the new part;
        // one that changes nothing prints nothing.
        if (before !== undefined && text.startsWith(before)) {
          const added = text.slice(before.length).trim();
          if (added !== '') this.#print(`Z (updated) › ${added}`);
        } else {
          this.#print(`Z (updated) › ${text}`);
        }
        this.#showButtons(payload.reply_markup, messageId);
        return { message_id: messageId, date, chat, text };
      }
      case 'answerCallbackQuery':
        if (typeof payload.text === 'string' && payload.text) this.#print(`(${payload.text})`);
        return true;
      case 'sendChatAction':
        return true;
      default:
        return true;
    }
  }

  /** Streams a draft as it grows: only the new characters are written, on one line. */
  #renderDraft(id: number, text: string): void {
    const draft = this.#draft;
    if (draft && draft.id === id && text.startsWith(draft.printed)) {
      this.#write(text.slice(draft.printed.length));
      draft.printed = text;
      return;
    }
    if (draft) this.#write('\n');
    this.#write(`Z … ${text}`);
    this.#draft = { id, printed: text };
  }

  /**
   * Closes a streamed draft; true when the final message continues what was already shown, in
   * which case only the rest (e.g. a note under the answer) is written, so the answer appears once.
   */
  #endDraft(final: string): boolean {
    const draft = this.#draft;
    if (!draft) return false;
    this.#draft = undefined;
    const shown = draft.printed.trimEnd();
    if (!final.startsWith(shown)) {
      this.#write('\n');
      return false;
    }
    this.#write(`${final.slice(shown.length).trimEnd()}\n`);
    return true;
  }

  #remember(messageId: number, text: string): void {
    this.#shown.set(messageId, text);
    // Only recent messages get edited; keep the map small in a long session.
    if (this.#shown.size > 200) {
      const oldest = this.#shown.keys().next().value;
      if (oldest !== undefined) this.#shown.delete(oldest);
    }
  }

  #showButtons(markup: unknown, messageId: number): void {
    const rows = isInlineKeyboard(markup) ? markup.inline_keyboard : [];
    const buttons = rows.flat().flatMap((button) => ('callback_data' in button && typeof button.callback_data === 'string' ? [{ text: button.text, data: button.callback_data, messageId }] : []));
    if (buttons.length === 0) return;
    this.#buttons = buttons;
    this.#print(buttons.map((button, index) => `  [${index + 1}] ${button.text}`).join('\n') + `\n  (type 1-${buttons.length} to choose)`);
  }

  #print(text: string): void {
    if (this.#draft) {
      // Anything else printed mid-draft starts on its own line; the draft restarts after it.
      this.#write('\n');
      this.#draft = undefined;
    }
    this.#write(`${text}\n`);
  }

  #write(text: string): void {
    if (this.#closed && !this.#options.output.writable) return;
    this.#options.output.write(text);
  }
}

function isInlineKeyboard(markup: unknown): markup is { inline_keyboard: InlineKeyboardButton[][] } {
  return typeof markup === 'object' && markup !== null && 'inline_keyboard' in markup && Array.isArray(markup.inline_keyboard);
}
