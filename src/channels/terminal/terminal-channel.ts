import readline from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { InputFile, type Transformer } from 'grammy';
import type { InlineKeyboardButton, Update } from 'grammy/types';
import { htmlToPlainText } from '../telegram/format/index.js';
import { draftContinuation } from './draft-continuation.js';

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
  /**
   * A person at a TTY: show a prompt, edit the line (arrows, Ctrl-A/E/W…) and recall earlier
   * lines with ↑/↓. Off for pipes, where input is read line by line as it comes.
   */
  interactive?: boolean;
  /** Ctrl-C on an empty line in interactive mode; the line editor swallows the real signal. Defaults to SIGINT to this process. */
  onInterrupt?: () => void;
}

export const TERMINAL_PROMPT = 'you › ';

/** Buttons the owner can tap by number: those of one message, until it loses them or the owner moves on. */
interface LiveButtons {
  messageId: number;
  buttons: Array<{ text: string; data: string }>;
}

/**
 * The assistant over stdin/stdout: each line becomes a message update from the
 * owner, handled by the same bot middleware as Telegram's; Bot API calls aimed at
 * the terminal chat are rendered here instead of being sent. Buttons show as
 * numbers: typing the number taps the button. Only the latest message with buttons
 * has live numbers, and only until that message loses its buttons, a number is
 * used, or the owner sends anything else; a number that matches no live button is
 * an ordinary message.
 */
export class TerminalChannel {
  readonly #options: TerminalChannelOptions;
  readonly #updates = new WeakSet<Update>();
  #rl: readline.Interface | undefined;
  #nextUpdateId = 1;
  #nextMessageId = 1;
  #live: LiveButtons | undefined;
  #chain: Promise<void> = Promise.resolve();
  #closed = false;
  /** Lines typed and not yet answered; the prompt shows only when this is 0. */
  #busy = 0;
  /** The prompt (and whatever the owner has typed after it) is on screen now. */
  #promptShown = false;
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
      const result = method === 'sendDocument' ? await this.#renderDocument(payload) : this.#render(method, payload);
      return { ok: true, result } as Awaited<ReturnType<typeof prev>>;
    };
  }

  start(): void {
    const interactive = this.#options.interactive === true;
    const rl = readline.createInterface({
      input: this.#options.input,
      output: this.#options.output,
      terminal: interactive,
      prompt: TERMINAL_PROMPT,
      historySize: 500,
      removeHistoryDuplicates: true,
    });
    this.#rl = rl;
    this.#print(
      interactive
        ? 'Terminal channel: type a message, or /help. ↑/↓ recall earlier lines; Ctrl-D leaves, Ctrl-C stops openzero.'
        : 'Terminal channel: type a message, or /help. Ctrl-D leaves.',
    );
    this.#showPrompt();
    rl.on('line', (line) => {
      this.#promptShown = false;
      const text = line.trim();
      if (text === '') {
        this.#showPrompt();
        return;
      }
      this.#busy += 1;
      this.#chain = this.#chain
        .then(() => this.#submit(text))
        .finally(() => {
          this.#busy -= 1;
          this.#showPrompt();
        });
    });
    rl.on('SIGINT', () => {
      // Like a shell: Ctrl-C drops a half-typed line; on an empty line it stops the daemon.
      if (rl.line.length > 0) {
        rl.write(null, { ctrl: true, name: 'e' });
        rl.write(null, { ctrl: true, name: 'u' });
        return;
      }
      (this.#options.onInterrupt ?? (() => process.kill(process.pid, 'SIGINT')))();
    });
    rl.on('close', () => {
      this.#closed = true;
      if (this.#promptShown) this.#options.output.write('\n');
      this.#promptShown = false;
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
    const live = this.#live;
    // Whatever the owner types, the numbers shown so far are used up: a tap, or a new exchange.
    this.#live = undefined;
    const choice = live && /^\d{1,2}$/.test(text) ? live.buttons[Number(text) - 1] : undefined;
    if (live && choice) {
      return {
        update_id: updateId,
        callback_query: {
          id: `terminal-${updateId}`,
          from,
          chat_instance: 'terminal',
          data: choice.data,
          message: { message_id: live.messageId, date, chat, text: '' },
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
        this.#replaceButtons(payload.reply_markup, messageId);
        return { message_id: messageId, date, chat, text };
      }
      case 'editMessageReplyMarkup': {
        const messageId = typeof payload.message_id === 'number' ? payload.message_id : 0;
        this.#replaceButtons(payload.reply_markup, messageId);
        return { message_id: messageId, date, chat, text: '' };
      }
      case 'deleteMessage':
        if (this.#live && this.#live.messageId === payload.message_id) this.#live = undefined;
        return true;
      case 'answerCallbackQuery':
        if (typeof payload.text === 'string' && payload.text) this.#print(`(${payload.text})`);
        return true;
      case 'sendChatAction':
        return true;
      default:
        return true;
    }
  }

  /**
   * A document (a capability's code, a long disclosure) is printed whole: what the owner
   * approves here must be readable here, as it is in Telegram's attachment.
   */
  async #renderDocument(payload: Record<string, unknown>): Promise<unknown> {
    const messageId = this.#nextMessageId++;
    const document = payload.document;
    const name = document instanceof InputFile ? (document.filename ?? 'document') : 'document';
    const caption = typeof payload.caption === 'string' ? ` (${payload.caption})` : '';
    let body: string;
    try {
      body = document instanceof InputFile ? new TextDecoder().decode(await collectBytes(await document.toRaw())) : String(document ?? '');
    } catch (err) {
      body = `[the document could not be read: ${err instanceof Error ? err.message : String(err)}]`;
    }
    this.#print(`Z › 📎 ${name}${caption}\n${body}\n📎 end of ${name}`);
    return { message_id: messageId, date: Math.floor(Date.now() / 1000), chat: { id: TERMINAL_CHAT_ID, type: 'private', first_name: 'Owner' }, document: { file_id: `terminal-${messageId}`, file_unique_id: `terminal-${messageId}`, file_name: name } };
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
   * Closes a streamed draft; true when the final message continues what was already shown (its
   * Markdown formatted or not), in which case only the rest (e.g. a note under the answer) is
   * written, so the answer appears once.
   */
  #endDraft(final: string): boolean {
    const draft = this.#draft;
    if (!draft) return false;
    this.#draft = undefined;
    const rest = draftContinuation(draft.printed.trimEnd(), final);
    if (rest === undefined) {
      this.#write('\n');
      return false;
    }
    this.#write(`${final.slice(rest).trimEnd()}\n`);
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

  /** A new message: its buttons, if any, become the live ones; one without buttons leaves them. */
  #showButtons(markup: unknown, messageId: number): void {
    const buttons = callbackButtons(markup);
    if (buttons.length === 0) return;
    this.#live = { messageId, buttons };
    this.#print(buttons.map((button, index) => `  [${index + 1}] ${button.text}`).join('\n') + `\n  (type ${buttons.length === 1 ? '1' : `1-${buttons.length}`} to choose)`);
  }

  /** An edited message keeps only the buttons the edit gives it; the live numbers follow. */
  #replaceButtons(markup: unknown, messageId: number): void {
    const buttons = callbackButtons(markup);
    if (buttons.length > 0) {
      this.#showButtons(markup, messageId);
      return;
    }
    if (this.#live?.messageId === messageId) this.#live = undefined;
  }

  #showPrompt(): void {
    if (this.#options.interactive !== true || this.#closed || this.#busy > 0 || this.#promptShown || !this.#rl) return;
    this.#promptShown = true;
    // `true` keeps what the owner had typed when output interrupted the line.
    this.#rl.prompt(true);
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
    const output = this.#options.output;
    if (this.#promptShown) {
      // Output that arrives while the owner is typing goes above the prompt, which is redrawn after it.
      readline.clearLine(output, 0);
      readline.cursorTo(output, 0);
      this.#promptShown = false;
      output.write(text);
      if (text.endsWith('\n')) this.#showPrompt();
      return;
    }
    output.write(text);
  }
}

function callbackButtons(markup: unknown): Array<{ text: string; data: string }> {
  const rows = isInlineKeyboard(markup) ? markup.inline_keyboard : [];
  return rows.flat().flatMap((button) => ('callback_data' in button && typeof button.callback_data === 'string' ? [{ text: button.text, data: button.callback_data }] : []));
}

function isInlineKeyboard(markup: unknown): markup is { inline_keyboard: InlineKeyboardButton[][] } {
  return typeof markup === 'object' && markup !== null && 'inline_keyboard' in markup && Array.isArray(markup.inline_keyboard);
}

async function collectBytes(raw: Uint8Array | Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  if (raw instanceof Uint8Array) return raw;
  const parts: Uint8Array[] = [];
  for await (const part of raw) parts.push(part);
  return Buffer.concat(parts);
}
