import type { Migration } from 'kysely';
import * as spine from './2026-11-22-001-spine.js';
import * as approvals from './2026-11-22-002-approvals.js';
import * as conversations from './2026-11-22-003-conversations.js';
import * as memories from './2026-11-22-004-memories.js';
import * as board from './2026-11-22-005-board.js';
import * as inboxRaw from './2026-12-02-001-inbox-raw.js';
import * as googleMail from './2026-12-02-google-001-mail-and-credentials.js';

/** Every migration, in order. Names are date-prefixed and never change once released. */
export const migrations: Record<string, Migration> = {
  '2026-11-22-001-spine': spine,
  '2026-11-22-002-approvals': approvals,
  '2026-11-22-003-conversations': conversations,
  '2026-11-22-004-memories': memories,
  '2026-11-22-005-board': board,
  '2026-12-02-001-inbox-raw': inboxRaw,
  '2026-12-02-google-001-mail-and-credentials': googleMail,
};
