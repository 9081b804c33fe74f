/**
 * How features speak to the owner first (routines, reminders, mail alerts,
 * backup warnings) without knowing the channel. Implemented for Telegram in
 * `channels/telegram`; the terminal sees the same messages through the bot API.
 */
export interface OwnerButton {
  text: string;
  /** Callback data for a button handled by a feature's button handler (see commands/). */
  data?: string;
  /** A link button (e.g. open in Gmail). */
  url?: string;
}

export interface OwnerMessage {
  /** Markdown (converted for the channel), or Telegram HTML when `html` is true. */
  text: string;
  html?: boolean;
  /** Rows of buttons, on the last part of the message. */
  buttons?: OwnerButton[][];
}

export interface SendOptions {
  /**
   * Idempotency key, e.g. `routine:morning:2026-12-02T07:30`. A message already
   * delivered under this key is not sent again (after a crash or a second trigger);
   * the first delivery is returned instead.
   */
  scope?: string;
  /** Urgent messages go out during quiet hours; others may be held for the digest. */
  urgent?: boolean;
}

/** A delivery counts only when the channel returned a message id. */
export interface Delivery {
  messageIds: number[];
  /** Quiet hours: stored, not sent yet; it goes out in the digest when they end (`messageIds` is empty). */
  held?: boolean;
}

export interface OwnerMessenger {
  /** `undefined` when the owner's chat is not known yet (nobody has written to Z). */
  send(message: OwnerMessage, options?: SendOptions): Promise<Delivery | undefined>;
}
