import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T> = ColumnType<T, string, string>;

/** Small named values the daemon owns: the owner id, the pairing code, the poll offset. */
export interface SettingsTable {
  key: string;
  value: string;
  updated_at: UpdatedAt;
}

/** The owner's preferences (key/value, from the seed). */
export interface PreferencesTable {
  id: Generated<number>;
  key: string;
  value: string;
  updated_at: UpdatedAt;
}

export type InboxStatus = 'pending' | 'done' | 'failed';

/** Every Telegram update, stored before Telegram is told it arrived. */
export interface InboxTable {
  update_id: number;
  /** Updates with the same key are handled strictly in order (one chat, or one user). */
  chat_key: string;
  kind: string;
  /** Rows stored before 2026-12-02; null since (see `raw`) and once an ignored update is cleared. */
  payload: ColumnType<unknown, string | null | undefined, string | null>;
  /** The update's JSON text, exactly as JSON.stringify writes it (\u0000 and lone surrogates escaped). */
  raw: ColumnType<string | null, string | null | undefined, string | null>;
  status: ColumnType<InboxStatus, InboxStatus | undefined, InboxStatus>;
  error: string | null;
  received_at: CreatedAt;
  finished_at: ColumnType<Date | null, never, Date>;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/**
 * Every outgoing Bot API call with a visible effect, keyed by the work that caused
 * it (`scope`, e.g. `update:123`) and its position in that work (`seq`), so a
 * replayed handler finds what it already sent instead of sending it again.
 */
export interface OutboxTable {
  scope: string;
  seq: number;
  method: string;
  chat_id: number | null;
  payload: Json<unknown>;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  result: ColumnType<unknown, string | null | undefined, string | null>;
  error: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  created_at: CreatedAt;
  sent_at: ColumnType<Date | null, never, Date>;
}

/** What ran, what left the machine, where to and how many bytes. */
export interface AuditLogTable {
  id: Generated<number>;
  at: CreatedAt;
  actor: string;
  action: string;
  destination: string | null;
  detail: Json<Record<string, unknown>>;
  bytes_out: number | null;
  bytes_in: number | null;
}

export type AuditEntry = Selectable<AuditLogTable>;
export type NewAuditEntry = Insertable<AuditLogTable>;
