import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** Secrets sealed with OPENZERO_SECRET_KEY (see src/secrets). */
export interface CredentialsTable {
  name: string;
  sealed: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export type EmailAction = 'urgent' | 'summarize' | 'archive';

export interface EmailRulesTable {
  id: Generated<number>;
  position: number;
  from_pattern: string | null;
  subject_pattern: string | null;
  action: EmailAction;
  origin: 'file' | 'chat';
  created_at: ColumnType<Date, Date | string | undefined, never>;
  deleted_at: NullableTimestamp;
}

export type EmailSeenState = 'new' | 'notifying' | 'done' | 'gone';

export interface EmailSeenTable {
  message_id: string;
  state: EmailSeenState;
  attempts: ColumnType<number, number | undefined, number>;
  discovered_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface EmailSummariesTable {
  message_id: string;
  sender: string;
  subject: string;
  received_at: Timestamp;
  action: EmailAction;
  rule_id: number | null;
  summary: string | null;
  processed_at: Timestamp;
  included_in_briefing: ColumnType<boolean, boolean | undefined, boolean>;
}
