import type { ColumnType } from 'kysely';

export type ApprovalStatus = 'pending' | 'approved' | 'declined' | 'expired';

export interface ApprovalChoice {
  /** Short, goes into callback_data. */
  id: string;
  label: string;
  /** True when this choice lets the action go ahead. */
  approves: boolean;
}

/** An action waiting for the owner's tap: what, in plain words, with which buttons, until when. */
export interface ApprovalsTable {
  id: string;
  /** The effect key of the work that asked; a replay finds the same approval. */
  origin_key: string | null;
  kind: string;
  payload: ColumnType<unknown, string, string>;
  summary: string;
  choices: ColumnType<ApprovalChoice[], string, string>;
  status: ColumnType<ApprovalStatus, ApprovalStatus | undefined, ApprovalStatus>;
  decision: string | null;
  outcome: string | null;
  chat_id: number;
  message_id: number | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  expires_at: ColumnType<Date, Date, Date>;
  decided_at: ColumnType<Date | null, never, Date>;
}
