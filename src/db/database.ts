import type { Kysely, Transaction } from 'kysely';
import type { AgentSoulsTable, AgentsTable, CosInboxTable, SkillsTable } from './tables/agents.table.js';
import type { ApprovalsTable } from './tables/approvals.table.js';
import type { ConversationThreadsTable, ConversationTurnsTable } from './tables/conversations.table.js';
import type { CardWriteQueueTable, ProjectsTable, TasksTable } from './tables/board.table.js';
import type { MemoriesTable, MemoryIndexDeletionsTable } from './tables/memories.table.js';
import type { NudgesTable, OwnerMessagesTable, RemindersTable, RoutineRunsTable, RoutineStateTable } from './tables/routines.table.js';
import type { CredentialsTable, EmailRulesTable, EmailSeenTable, EmailSummariesTable } from './tables/google.table.js';
import type { CapabilitiesTable, CapabilityKvTable, CapabilityVersionsTable } from './tables/capabilities.table.js';
import type { AuditLogTable, InboxTable, OutboxTable, PreferencesTable, SettingsTable } from './tables/spine.table.js';

/** The whole schema as Kysely sees it; each feature adds its tables here. */
export interface Database {
  settings: SettingsTable;
  preferences: PreferencesTable;
  inbox: InboxTable;
  outbox: OutboxTable;
  audit_log: AuditLogTable;
  approvals: ApprovalsTable;
  conversation_threads: ConversationThreadsTable;
  conversation_turns: ConversationTurnsTable;
  projects: ProjectsTable;
  tasks: TasksTable;
  card_write_queue: CardWriteQueueTable;
  memories: MemoriesTable;
  memory_index_deletions: MemoryIndexDeletionsTable;
  owner_messages: OwnerMessagesTable;
  routine_runs: RoutineRunsTable;
  routine_state: RoutineStateTable;
  reminders: RemindersTable;
  nudges: NudgesTable;
  credentials: CredentialsTable;
  email_rules: EmailRulesTable;
  email_seen: EmailSeenTable;
  email_summaries: EmailSummariesTable;
  capability_versions: CapabilityVersionsTable;
  capabilities: CapabilitiesTable;
  capability_kv: CapabilityKvTable;
  agents: AgentsTable;
  agent_souls: AgentSoulsTable;
  cos_inbox: CosInboxTable;
  skills: SkillsTable;
}

export type Db = Kysely<Database>;
/** Repositories take either the database or an open transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
