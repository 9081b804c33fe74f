import { z } from 'zod';
import type { TaskFields, Task } from './tasks-repo.js';

/** What a rename, re-date or move changed, and so what its Undo may put back. */
export type RestoreField = 'title' | 'dueAt' | 'place';

const SavedFields = z.object({
  title: z.string().optional(),
  board: z.string().optional(),
  list: z.string().optional(),
  dueAt: z.string().nullable().optional(),
});
type SavedFields = z.infer<typeof SavedFields>;

/**
 * The Undo payload: the task's values before the write (`fields`, only those the write
 * changed) and the values the write set (`set`), so Undo can tell a field changed since
 * (in Planka, or by another write) from one still as Z left it. Payloads stored before
 * `set` existed carry all four fields and restore them all.
 */
export const RestorePayload = z.object({ taskId: z.number().int(), fields: SavedFields, set: SavedFields.optional() });
export type RestorePayload = z.infer<typeof RestorePayload>;

function pick(task: Task, changed: readonly RestoreField[]): SavedFields {
  const saved: SavedFields = {};
  if (changed.includes('title')) saved.title = task.title;
  if (changed.includes('dueAt')) saved.dueAt = task.dueAt?.toISOString() ?? null;
  if (changed.includes('place')) {
    saved.board = task.board;
    saved.list = task.list;
  }
  return saved;
}

export function restorePayload(before: Task, after: Task, changed: readonly RestoreField[]): RestorePayload {
  return { taskId: before.id, fields: pick(before, changed), set: pick(after, changed) };
}

const same = (a: string | null | undefined, b: string | null | undefined): boolean => (a ?? null)?.toLowerCase() === (b ?? null)?.toLowerCase();

/**
 * The fields Undo puts back, given the task as it is now (read from Planka first): a
 * saved field whose current value is no longer what the write set was changed since,
 * and is kept (named in `kept`). Only saved fields are ever restored.
 */
export function restorePlan(payload: RestorePayload, current: Task): { restore: TaskFields; kept: string[] } {
  const { fields, set } = payload;
  const now = pick(current, ['title', 'dueAt', 'place']);
  const restore: TaskFields = {};
  const kept: string[] = [];
  const changedSince = (key: keyof SavedFields): boolean => set !== undefined && key in set && !same(set[key], now[key]);
  if (fields.title !== undefined) {
    if (changedSince('title')) kept.push(`the title (now “${current.title}”)`);
    else restore.title = fields.title;
  }
  if (fields.dueAt !== undefined) {
    if (changedSince('dueAt')) kept.push('the due date (changed since)');
    else restore.dueAt = fields.dueAt === null ? null : new Date(fields.dueAt);
  }
  if (fields.board !== undefined || fields.list !== undefined) {
    if (changedSince('board') || changedSince('list')) kept.push(`the place (now ${current.board} / ${current.list})`);
    else {
      if (fields.board !== undefined) restore.board = fields.board;
      if (fields.list !== undefined) restore.list = fields.list;
    }
  }
  return { restore, kept };
}
