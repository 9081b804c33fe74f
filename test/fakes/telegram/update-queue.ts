// The bot's pending updates, modelled on telegram-bot-api's TQueue: ids increase by one, a
// getUpdates with offset N forgets every update with id < N for good, a negative offset counts
// from the end and forgets everything before it, and an offset more than 10 past the tail is
// ignored (the server falls back to the head). Array + head index: O(limit) per read.
import type { TgUpdate } from './wire-types.js';

/** allowed_updates default per the docs: everything except these three. */
export const NOT_DELIVERED_BY_DEFAULT = new Set(['chat_member', 'message_reaction', 'message_reaction_count']);

export function updateType(update: Record<string, unknown>): string {
  for (const key of Object.keys(update)) if (key !== 'update_id') return key;
  return '';
}

export class UpdateQueue {
  private items: TgUpdate[] = [];
  private head = 0;
  /** id the next update gets (TQueue "tail"). */
  private tail: number;
  private allowed: Set<string> | undefined;
  private confirmed = 0;
  readonly filtered: TgUpdate[] = [];

  constructor(firstUpdateId: number) {
    this.tail = firstUpdateId;
  }

  get confirmedOffset(): number {
    return this.confirmed;
  }

  get nextUpdateId(): number {
    return this.tail;
  }

  get allowedUpdates(): string[] {
    return this.allowed === undefined ? [] : [...this.allowed];
  }

  /** `undefined` keeps the previous setting; [] means the default set. */
  setAllowed(list: string[] | undefined): void {
    if (list === undefined) return;
    this.allowed = list.length === 0 ? undefined : new Set(list);
  }

  isAllowed(type: string): boolean {
    return this.allowed === undefined ? !NOT_DELIVERED_BY_DEFAULT.has(type) : this.allowed.has(type);
  }

  /**
   * Adds an update. Types excluded by allowed_updates never reach the bot (Telegram filters when
   * the update is created); they still use up an id here and are kept in `filtered`.
   */
  push(body: Record<string, unknown>): TgUpdate {
    const update: TgUpdate = { ...body, update_id: this.tail++ };
    if (this.isAllowed(updateType(update))) this.items.push(update);
    else this.filtered.push(update);
    return update;
  }

  get size(): number {
    return this.items.length - this.head;
  }

  /** Applies the offset (confirming older updates) and returns up to `limit` updates. */
  read(offset: number, limit: number): TgUpdate[] {
    let from = offset;
    if (from < 0) {
      from = Math.max(this.tail + from, this.headId());
    } else if (from > this.tail + 10) {
      from = 0; // "Specified from_id is in the future": served from the head, nothing forgotten
    }
    if (from > 0) this.forgetBefore(from);
    const end = Math.min(this.items.length, this.head + limit);
    return this.items.slice(this.head, end);
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }

  private headId(): number {
    return this.items[this.head]?.update_id ?? this.tail;
  }

  private forgetBefore(id: number): void {
    if (id > this.confirmed) this.confirmed = id;
    while (this.head < this.items.length && (this.items[this.head]?.update_id ?? Infinity) < id) this.head++;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
