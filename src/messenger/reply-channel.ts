/**
 * A reply being written while the model answers: partial text shows as it comes, then the
 * final answer replaces it. The channel decides how partial text is shown and paced.
 */
export interface ReplyStream {
  /** Appends a fragment of the answer being written. */
  push(fragment: string): void;
  /** Starts a new step (e.g. after a tool call): the partial text restarts from empty. */
  reset(): void;
  /** Delivers the final answer (Markdown), replacing whatever partial text is shown. */
  finish(answer: string): Promise<void>;
  /** Stops streaming without a final answer (the caller sends its own message). */
  abandon(): Promise<void>;
}

export interface ReplyStreamOptions {
  /** A private chat (some channels can show partial text there in a lighter way). */
  privateChat: boolean;
}

/**
 * What the assistant needs while it answers in a chat: stream a reply, show "typing…", and
 * send a whole message. The channels (Telegram, the terminal) implement it; the assistant
 * never sees the Bot API.
 */
export interface ReplyChannel {
  stream(chatId: number, options: ReplyStreamOptions): ReplyStream;
  /** Starts "typing…" at once and keeps it up until the returned stop function is called. Never throws. */
  typing(chatId: number): () => void;
  /** Sends a message: Markdown, or Telegram HTML (escaped) when `html` is set; split to fit. Throws what the channel throws. */
  send(chatId: number, text: string, options?: { html?: boolean }): Promise<void>;
}
