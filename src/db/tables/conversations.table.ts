import type { ColumnType, Generated } from 'kysely';

/** One conversation with Z: `/new` ends it and starts the next. Its summary outlives it. */
export interface ConversationThreadsTable {
  id: Generated<number>;
  chat_id: number;
  started_at: ColumnType<Date, Date | undefined, never>;
  ended_at: ColumnType<Date | null, never, Date | null>;
  /** Running summary of the turns up to `summarized_through` (written by the local model). */
  summary: string | null;
  /** Highest turn id folded into `summary`; 0 when nothing is. */
  summarized_through: ColumnType<number, number | undefined, number>;
  /** One line that names the thread in /think and search results. */
  title: string | null;
}

export type TurnRole = 'user' | 'assistant';
/** A user turn is pending while answered, failed when the model could not answer (kept for /retry). */
export type TurnStatus = 'pending' | 'answered' | 'failed' | 'done';

/** What an answer drew on, for /why. */
export interface TurnUsage {
  /** `author`: who wrote the item (`owner`, `Z`, an agent's name), when known. */
  items: Array<{ source: string; label: string; ref?: string; score?: number; date?: string; author?: string }>;
  tools: string[];
  /** Which agent gave the answer; absent on answers older than agents (Z's). */
  speaker?: string;
}

export interface ConversationTurnsTable {
  id: Generated<number>;
  thread_id: number;
  role: TurnRole;
  content: string;
  status: ColumnType<TurnStatus, TurnStatus, TurnStatus>;
  /** The work that stored it (`update:123`); a replay finds the same turn. */
  origin_key: string | null;
  /** On assistant turns: the context items and tools the answer used. */
  used: ColumnType<TurnUsage | null, string | null, string | null>;
  created_at: ColumnType<Date, Date | undefined, never>;
}
