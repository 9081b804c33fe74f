import type { Migration } from 'kysely';
import * as spine from './2026-11-22-001-spine.js';
import * as approvals from './2026-11-22-002-approvals.js';
import * as conversations from './2026-11-22-003-conversations.js';
import * as memories from './2026-11-22-004-memories.js';
import * as board from './2026-11-22-005-board.js';
import * as inboxRaw from './2026-12-02-001-inbox-raw.js';
import * as cardWriteQueue from './2026-12-02-board-planka-001-card-write-queue.js';
import * as memoryPendingEmbedding from './2026-12-02-memory-offline-001-pending-embedding.js';
import * as routinesScheduler from './2026-12-02-routines-001-scheduler.js';
import * as googleMail from './2026-12-02-google-001-mail-and-credentials.js';
import * as capabilities from './2026-12-02-capabilities-001-capabilities.js';
import * as agentsAndSkills from './2026-12-02-agents-001-agents-and-skills.js';

/** Every migration, in order. Names are date-prefixed and never change once released. */
export const migrations: Record<string, Migration> = {
  '2026-11-22-001-spine': spine,
  '2026-11-22-002-approvals': approvals,
  '2026-11-22-003-conversations': conversations,
  '2026-11-22-004-memories': memories,
  '2026-11-22-005-board': board,
  '2026-12-02-001-inbox-raw': inboxRaw,
  '2026-12-02-board-planka-001-card-write-queue': cardWriteQueue,
  '2026-12-02-memory-offline-001-pending-embedding': memoryPendingEmbedding,
  '2026-12-02-routines-001-scheduler': routinesScheduler,
  '2026-12-02-google-001-mail-and-credentials': googleMail,
  '2026-12-02-capabilities-001-capabilities': capabilities,
  '2026-12-02-agents-001-agents-and-skills': agentsAndSkills,
};
