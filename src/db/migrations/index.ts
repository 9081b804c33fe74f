import type { Migration } from 'kysely';
import * as spine from './2026-11-22-001-spine.js';
import * as approvals from './2026-11-22-002-approvals.js';

/** Every migration, in order. Names are date-prefixed and never change once released. */
export const migrations: Record<string, Migration> = {
  '2026-11-22-001-spine': spine,
  '2026-11-22-002-approvals': approvals,
};
