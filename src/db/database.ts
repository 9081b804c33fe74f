import type { Kysely, Transaction } from 'kysely';
import type { ApprovalsTable } from './tables/approvals.table.js';
import type { AuditLogTable, InboxTable, OutboxTable, PreferencesTable, SettingsTable } from './tables/spine.table.js';

/** The whole schema as Kysely sees it; each feature adds its tables here. */
export interface Database {
  settings: SettingsTable;
  preferences: PreferencesTable;
  inbox: InboxTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  approvals: ApprovalsTable;
}

export type Db = Kysely<Database>;
/** Repositories take either the database or an open transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
