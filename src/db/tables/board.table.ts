import type { ColumnType, Generated } from 'kysely';

type CreatedAt = ColumnType<Date, Date | undefined, never>;
type UpdatedAt = ColumnType<Date, Date | undefined, Date>;

export type ProjectStatus = 'active' | 'paused' | 'completed' | 'archived';

/** The owner's project tree (seed §10): hierarchical, with status, priority and progress. */
export interface ProjectsTable {
  id: Generated<number>;
  name: string;
  parent_id: number | null;
  status: ColumnType<ProjectStatus, ProjectStatus | undefined, ProjectStatus>;
  /** 1 (highest) to 5. */
  priority: ColumnType<number, number | undefined, number>;
  domain: string | null;
  /** 0–100, set by hand; ignored while `link_board` derives it from cards. */
  progress: ColumnType<number, number | undefined, number>;
  /** A board of the structure (by name): progress = done / total tasks on it. */
  link_board: string | null;
  last_reviewed: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

/**
 * Every task the assistant knows: the source of truth without Planka, and the local
 * record of every task write with it. Board and list are names from the board structure.
 */
export interface TasksTable {
  id: Generated<number>;
  /** The work that created it (tool call, command): a replay finds this row instead of adding one. */
  idempotency_key: string;
  /** Short random marker written into the card description, so a card created before a crash is found again. */
  ref: string;
  title: string;
  description: string | null;
  board: string;
  list: string;
  due_at: Date | null;
  done: ColumnType<boolean, boolean | undefined, boolean>;
  planka_card_id: string | null;
  deleted_at: Date | null;
  created_at: CreatedAt;
  updated_at: UpdatedAt;
}

export type BoardOpKind = 'create' | 'update' | 'delete';
export type BoardOpStatus = 'pending' | 'done' | 'failed' | 'cancelled';

/** The card write queue: durable Planka writes, applied in id order per task, exactly once, across restarts. */
export interface CardWriteQueueTable {
  id: Generated<number>;
  task_id: number;
  op: BoardOpKind;
  payload: ColumnType<unknown, string, string>;
  idempotency_key: string;
  status: ColumnType<BoardOpStatus, BoardOpStatus | undefined, BoardOpStatus>;
  /** How often the write may have reached Planka. */
  attempts: ColumnType<number, number | undefined, number>;
  /** Failed tries (bootstrap failures included): the wait before the next one grows with it. */
  retries: ColumnType<number, number | undefined, number>;
  next_attempt_at: ColumnType<Date, Date | undefined, Date>;
  last_error: string | null;
  /** The owner was told this write is queued; they hear once more when it lands or keeps failing. */
  owner_told: ColumnType<boolean, boolean | undefined, boolean>;
  reminded_at: Date | null;
  created_at: CreatedAt;
  done_at: Date | null;
}
