import { randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Api } from 'grammy';
import type { Logger } from '../../log/index.js';
import type { ReplyStream } from '../../messenger/index.js';
import { editText, sendText } from './send-text.js';
import { renderForTelegram } from './format/index.js';

export interface StreamSinkOptions {
  api: Api;
  chatId: number;
  /** Drafts (sendMessageDraft) only work in private chats. */
  privateChat: boolean;
  log: Logger;
  /** Least time between two drafts; the first goes out at once. 0 streams every fragment. */
  draftIntervalMs: number;
  /** Least time between two edits of the fallback message (Telegram allows about one a second). */
  editIntervalMs: number;
}

const MAX_PARTIAL = 4000;

/**
 * Shows an answer while it is being written, then delivers it. Partial text goes out as a
 * draft (Bot API sendMessageDraft, private chats); when drafts are unavailable it falls back to
 * one plain message edited at most once per `editIntervalMs`. The final answer always goes
 * through the formatting helper (HTML, split at 4096, plain-text fallback).
 */
export class StreamSink implements ReplyStream {
  readonly #options: StreamSinkOptions;
  readonly #draftId = randomInt(1, 2 ** 31 - 1);
  #mode: 'draft' | 'edit';
  #text = '';
  #shown = '';
  #lastShownAt = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<void> = Promise.resolve();
  #messageId: number | undefined;
  #closed = false;

  constructor(options: StreamSinkOptions) {
    this.#options = options;
    this.#mode = options.privateChat ? 'draft' : 'edit';
  }

  /** Appends a fragment of the answer being written. */
  push(fragment: string): void {
    if (this.#closed || fragment === '') return;
    this.#text += fragment;
    this.#schedule();
  }

  /** Starts a new step (e.g. after a tool call): the partial text restarts from empty. */
  reset(): void {
    this.#text = '';
  }

  /** Delivers the final answer, replacing whatever partial text is shown. */
  async finish(answer: string): Promise<void> {
    await this.#quiesce();
    const { api, chatId } = this.#options;
    if (this.#messageId !== undefined) {
      const chunks = renderForTelegram(answer).html;
      if (chunks.length <= 1) {
        // The final edit counts against Telegram's edit rate like any frame before it.
        const wait = this.#lastShownAt + this.#options.editIntervalMs - Date.now();
        if (wait > 0) await sleep(wait);
        await editText(api, chatId, this.#messageId, answer);
        return;
      }
      await api.deleteMessage(chatId, this.#messageId).catch((err: unknown) => this.#options.log.debug({ err }, 'could not delete the partial message'));
    }
    await sendText(api, chatId, answer);
  }

  /** Stops streaming without a final answer (the caller sends its own message). */
  async abandon(): Promise<void> {
    await this.#quiesce();
    if (this.#messageId !== undefined) {
      await this.#options.api.deleteMessage(this.#options.chatId, this.#messageId).catch((err: unknown) => this.#options.log.debug({ err }, 'could not delete the partial message'));
    }
  }

  async #quiesce(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  #interval(): number {
    return this.#mode === 'draft' ? this.#options.draftIntervalMs : this.#options.editIntervalMs;
  }

  #schedule(): void {
    if (this.#timer) return;
    const wait = Math.max(0, this.#lastShownAt + this.#interval() - Date.now());
    if (wait === 0) {
      this.#flush();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#flush();
    }, wait);
  }

  #flush(): void {
    // One Bot API call at a time: a slow call delays the next frame instead of racing it.
    this.#inFlight = this.#inFlight.then(async () => {
      if (this.#closed) return;
      const text = partial(this.#text);
      if (text === '' || text === this.#shown) return;
      // A frame that queued behind a slow call still respects the interval.
      if (Date.now() < this.#lastShownAt + this.#interval()) {
        this.#schedule();
        return;
      }
      try {
        await this.#show(text);
      } finally {
        // Counted from the answer, not the request: however slow the way there, frames reach Telegram an interval apart.
        this.#lastShownAt = Date.now();
      }
      this.#shown = text;
      // Text that arrived while the call was under way goes out in the next frame.
      if (!this.#closed && partial(this.#text) !== this.#shown) this.#schedule();
    });
  }

  async #show(text: string): Promise<void> {
    const { api, chatId, log } = this.#options;
    if (this.#mode === 'draft') {
      try {
        await api.sendMessageDraft(chatId, this.#draftId, text);
        return;
      } catch (err) {
        // Older Bot API servers do not know the method; some chats do not allow drafts.
        log.info({ err }, 'drafts unavailable; streaming by editing a message');
        this.#mode = 'edit';
      }
    }
    try {
      if (this.#messageId === undefined) {
        const message = await api.sendMessage(chatId, text, { link_preview_options: { is_disabled: true } });
        this.#messageId = message.message_id;
      } else {
        await api.editMessageText(chatId, this.#messageId, text, { link_preview_options: { is_disabled: true } });
      }
    } catch (err) {
      log.debug({ err }, 'partial text update failed');
    }
  }
}

/** Partial text is plain (half-written Markdown would not parse), cut to a message's length. */
function partial(text: string): string {
  const trimmed = text.trimEnd();
  return trimmed.length > MAX_PARTIAL ? `…${trimmed.slice(-(MAX_PARTIAL - 1))}` : trimmed;
}
