import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { DbOrTx } from '../db/index.js';
import type { TasksTable } from '../db/tables/board.table.js';

export interface Task {
  id: number;
  ref: string;
  title: string;
  description: string | null;
  board: string;
  list: string;
  dueAt: Date | null;
  done: boolean;
  plankaCardId: string | null;
  deletedAt: Date | null;
  /** Z created it (not imported from a card the owner made in Planka): only such cards carry a marker. */
  madeByZ: boolean;
}

/** The fields a task write may change. */
export type TaskFields = Partial<Pick<Task, 'title' | 'description' | 'board' | 'list' | 'dueAt' | 'done'>>;

/** Idempotency key prefix of a task imported from a card the owner made in Planka. */
export const IMPORTED_KEY_PREFIX = 'planka:';

export function newTaskRef(): string {
  return randomBytes(6).toString('base64url');
}

export async function insertTask(
  db: DbOrTx,
  input: { idempotencyKey: string; ref?: string; title: string; description: string | null; board: string; list: string; dueAt: Date | null; done?: boolean; plankaCardId?: string | null },
): Promise<{ task: Task; created: boolean }> {
  const row = await db
    .insertInto('tasks')
    .values({
      idempotency_key: input.idempotencyKey,
      ref: input.ref ?? newTaskRef(),
      title: input.title,
      description: input.description,
      board: input.board,
      list: input.list,
      due_at: input.dueAt,
      done: input.done ?? false,
      planka_card_id: input.plankaCardId ?? null,
      deleted_at: null,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row) return { task: toTask(row), created: true };
  const existing = await db.selectFrom('tasks').selectAll().where('idempotency_key', '=', input.idempotencyKey).executeTakeFirstOrThrow();
  return { task: toTask(existing), created: false };
}

export async function findTask(db: DbOrTx, id: number): Promise<Task | undefined> {
  const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toTask(row) : undefined;
}

export async function findTaskByCard(db: DbOrTx, cardId: string): Promise<Task | undefined> {
  const row = await db.selectFrom('tasks').selectAll().where('planka_card_id', '=', cardId).executeTakeFirst();
  return row ? toTask(row) : undefined;
}

export async function updateTask(db: DbOrTx, id: number, fields: TaskFields & { plankaCardId?: string | null; deletedAt?: Date | null }): Promise<void> {
  await db
    .updateTable('tasks')
    .set({
      ...(fields.title !== undefined ? { title: fields.title } : {}),
      ...(fields.description !== undefined ? { description: fields.description } : {}),
      ...(fields.board !== undefined ? { board: fields.board } : {}),
      ...(fields.list !== undefined ? { list: fields.list } : {}),
      ...(fields.dueAt !== undefined ? { due_at: fields.dueAt } : {}),
      ...(fields.done !== undefined ? { done: fields.done } : {}),
      ...(fields.plankaCardId !== undefined ? { planka_card_id: fields.plankaCardId } : {}),
      ...(fields.deletedAt !== undefined ? { deleted_at: fields.deletedAt } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', id)
    .execute();
}

/** Tasks not deleted; open ones only unless `includeDone`. */
export async function listTasks(db: DbOrTx, options: { board?: string; includeDone?: boolean } = {}): Promise<Task[]> {
  let query = db.selectFrom('tasks').selectAll().where('deleted_at', 'is', null);
  if (!options.includeDone) query = query.where('done', '=', false);
  if (options.board !== undefined) query = query.where('board', '=', options.board);
  const rows = await query.orderBy('id').execute();
  return rows.map(toTask);
}

/** Done / total tasks (not deleted) per board, for derived project progress. */
export async function boardCounts(db: DbOrTx): Promise<Map<string, { done: number; total: number }>> {
  const rows = await db.selectFrom('tasks').select(['board', 'done']).where('deleted_at', 'is', null).execute();
  const counts = new Map<string, { done: number; total: number }>();
  for (const row of rows) {
    const key = row.board.toLowerCase();
    const count = counts.get(key) ?? { done: 0, total: 0 };
    count.total += 1;
    if (row.done) count.done += 1;
    counts.set(key, count);
  }
  return counts;
}

function toTask(row: Selectable<TasksTable>): Task {
  return {
    id: row.id,
    ref: row.ref,
    title: row.title,
    description: row.description,
    board: row.board,
    list: row.list,
    dueAt: row.due_at,
    done: row.done,
    plankaCardId: row.planka_card_id,
    deletedAt: row.deleted_at,
    madeByZ: !row.idempotency_key.startsWith(IMPORTED_KEY_PREFIX),
  };
}
