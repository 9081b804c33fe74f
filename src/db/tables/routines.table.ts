import type { ColumnType, Generated } from 'kysely';

export type OwnerMessageStatus = 'sending' | 'delivered' | 'held' | 'digested';

/** One proactive message per idempotency scope: what was (or will be) sent, and Telegram's ids. */
export interface OwnerMessagesTable {
  scope: string;
  status: OwnerMessageStatus;
  /** The scope's prefix (`routine`, `reminder`, …): what quiet hours decide on. */
  kind: string;
  urgent: ColumnType<boolean, boolean | undefined, boolean>;
  text: string;
  html: ColumnType<boolean, boolean | undefined, boolean>;
  /** JSON rows of buttons. */
  buttons: string | null;
  /** JSON array of Telegram message ids, set once Telegram returned them. */
  message_ids: string | null;
  /** For held messages: the digest that carried them. */
  digest_scope: string | null;
  created_at: Date;
  delivered_at: Date | null;
}

export type RunStatus = 'running' | 'delivered' | 'held' | 'nothing' | 'done' | 'failed' | 'skipped' | 'asked';
export type RunTrigger = 'scheduled' | 'catch-up' | 'resumed' | 'asked';

/** The run log: one row per (routine, slot), claimed before anything is sent. */
export interface RoutineRunsTable {
  id: Generated<number>;
  /** `routine:<id>`, `job:<name>` or `reminder:<id>`. */
  routine: string;
  slot: Date;
  status: RunStatus;
  trigger: RunTrigger;
  reason: string | null;
  attempts: ColumnType<number, number | undefined, number>;
  message_ids: string | null;
  /** Told to the owner in a briefing (caught up or skipped). */
  reported: ColumnType<boolean, boolean | undefined, boolean>;
  claimed_at: Date;
  finished_at: Date | null;
}

export interface RoutineStateTable {
  routine: string;
  /** Slots before this are not "missed": the routine did not exist yet. */
  first_seen: Date;
  paused: ColumnType<boolean, boolean | undefined, boolean>;
}

export type ReminderStatus = 'active' | 'done' | 'deleted';

/** Reminders the owner made in chat or with /remind. */
export interface RemindersTable {
  id: Generated<number>;
  idempotency_key: string;
  text: string;
  /** The next time it fires. */
  due_at: Date;
  /** JSON repeat rule, null for a one-off. */
  repeat: string | null;
  time_zone: string;
  status: ColumnType<ReminderStatus, ReminderStatus | undefined, ReminderStatus>;
  created_at: Date;
  updated_at: Date;
}

/** At most one nudge per subject (card) and local day. */
export interface NudgesTable {
  subject: string;
  day: string;
  text: string;
  folded: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: Date;
}
