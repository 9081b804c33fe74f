import type { Db } from '../db/index.js';
import type { BoardOp } from './card-write-queue-repo.js';
import { markOpDone, pendingOpsForTask } from './card-write-queue-repo.js';
import { markerRef, stripMarker, withMarker } from './card-marker.js';
import { BoardError, type BoardCard, type BoardLayout, type CardPatch, type ResolvedBoard, type TaskBoard } from './task-board.js';
import { findTask, updateTask, type Task, type TaskFields } from './tasks-repo.js';

/** A write Planka refused for good (not worth retrying): the op is marked failed with this reason. */
export class BoardWriteRejected extends Error {
  override readonly name = 'BoardWriteRejected';
  constructor(
    message: string,
    readonly opId: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface ApplyDeps {
  db: Db;
  board: TaskBoard;
  layout: BoardLayout;
  now: () => Date;
}

/**
 * Applies one queued write to Planka and records it, exactly once:
 *
 * - `create`: the op's attempt counter is raised and committed BEFORE the call. If it
 *   was already raised (an earlier attempt may have reached Planka and we died before
 *   recording the answer), the boards are searched for a card carrying this task's
 *   marker first; only when none exists is a card created. The card id and the op's
 *   `done` are then written in one transaction. A crash anywhere leaves either no card
 *   (created on the retry) or a marked card (found on the retry): never two.
 * - `update` reads the card, sends only the fields the op changed (with the task's
 *   current value for them) and refreshes the local row from Planka's answer; `delete`
 *   removes the card (a 404 counts as done): both are idempotent, so repeating them
 *   after a crash changes nothing.
 *
 * Throws BoardError for trouble worth retrying (or blocking every write until the owner
 * fixes the account), BoardWriteRejected for a final refusal of this one write.
 */
export async function applyOp(deps: ApplyDeps, op: BoardOp, attemptedBefore: boolean): Promise<void> {
  const { db } = deps;
  const task = await findTask(db, op.taskId);
  if (!task) throw new BoardWriteRejected('the task no longer exists', op.id);
  try {
    if (op.op === 'create') await applyCreate(deps, op, task, attemptedBefore);
    else if (op.op === 'update') await applyUpdate(deps, op, task);
    else await applyDelete(deps, op, task);
  } catch (err) {
    if (err instanceof BoardError && !err.transient && !err.blocksAll) {
      throw new BoardWriteRejected(err.problem === 'gone' ? `Planka refused it (not-found)` : err.message, op.id, { cause: err });
    }
    throw err;
  }
}

function resolve(deps: ApplyDeps, task: Task, opId: number): { board: ResolvedBoard; listId: string } {
  const board = deps.layout.boards.get(task.board.toLowerCase());
  if (!board) throw new BoardWriteRejected(`there is no board named ${task.board} in the structure`, opId);
  const list = board.lists.get(task.list.toLowerCase());
  if (!list) throw new BoardWriteRejected(`board ${task.board} has no list named ${task.list}`, opId);
  return { board, listId: list.id };
}

async function applyCreate(deps: ApplyDeps, op: BoardOp, task: Task, attemptedBefore: boolean): Promise<void> {
  const { db, board, layout } = deps;
  if (task.plankaCardId) {
    await markOpDone(db, op.id, deps.now());
    return;
  }
  const { listId } = resolve(deps, task, op.id);
  let cardId: string | undefined;
  if (attemptedBefore) {
    for (const resolved of layout.boards.values()) {
      const view = await board.readBoard(resolved.boardId);
      cardId = view.cards.find((card) => markerRef(card.description) === task.ref)?.id;
      if (cardId) break;
    }
  }
  cardId ??= (await board.createCard(listId, { title: task.title, description: cardDescription(task), dueAt: task.dueAt })).id;
  const recorded = cardId;
  await db.transaction().execute(async (trx) => {
    await updateTask(trx, task.id, { plankaCardId: recorded });
    await markOpDone(trx, op.id, deps.now());
  });
}

/** The task fields an update op changed, as recorded when it was queued (all of them for an op without a list). */
export function changedFields(op: BoardOp): Set<string> {
  const fields = (op.payload as { fields?: unknown } | null)?.fields;
  if (op.op !== 'update' || !Array.isArray(fields)) return new Set(ALL_FIELDS);
  return new Set(fields.filter((field): field is string => typeof field === 'string'));
}

const ALL_FIELDS = ['title', 'description', 'dueAt', 'board', 'list', 'done'] as const;

/** What Z writes into a card's description: a marker only on cards Z created. */
export function cardDescription(task: Task): string | null {
  return task.madeByZ ? withMarker(task.description, task.ref) : task.description;
}

/**
 * Sends only the fields the owner changed through Z, onto the card as Planka has it now
 * (read first), so an edit made in Planka meanwhile is never overwritten by the local copy;
 * then the local row takes what Planka answered, except fields a later queued write changes.
 */
async function applyUpdate(deps: ApplyDeps, op: BoardOp, task: Task): Promise<void> {
  const { db, board } = deps;
  if (!task.plankaCardId) throw new BoardWriteRejected('the card was never created on the board', op.id);
  let card;
  try {
    card = await board.getCard(task.plankaCardId);
  } catch (err) {
    if (err instanceof BoardError && err.problem === 'gone') {
      // Deleted (or archived away) by hand in Planka: the local copy follows.
      await updateTask(db, task.id, { deletedAt: deps.now() });
      throw new BoardWriteRejected('the card was deleted in Planka', op.id, { cause: err });
    }
    throw err;
  }
  const fields = changedFields(op);
  const patch: CardPatch = {};
  if (fields.has('title') && card.title !== task.title) patch.title = task.title;
  if (fields.has('description')) {
    const description = cardDescription(task);
    if ((card.description ?? null) !== description) patch.description = description;
  }
  if (fields.has('dueAt') && (card.dueAt?.getTime() ?? null) !== (task.dueAt?.getTime() ?? null)) patch.dueAt = task.dueAt;
  if (Object.keys(patch).length > 0) card = await board.updateCard(card.id, patch);
  if (fields.has('list') || fields.has('board') || fields.has('done')) {
    const { board: target, listId } = resolve(deps, task, op.id);
    if (card.listId !== listId) card = await board.moveCard(card.id, { listId, ...(card.boardId !== target.boardId ? { boardId: target.boardId } : {}) });
  }
  const later = new Set<string>();
  for (const other of await pendingOpsForTask(db, task.id)) if (other.id !== op.id) for (const field of changedFields(other)) later.add(field);
  const fresh = cacheFields(deps.layout, card, later);
  await db.transaction().execute(async (trx) => {
    await updateTask(trx, task.id, fresh);
    await markOpDone(trx, op.id, deps.now());
  });
}

/**
 * Refreshes the local row from the card as Planka has it now (fields a queued write is
 * about to change are left alone). A card deleted in Planka marks the task deleted.
 */
export async function refreshFromCard(deps: ApplyDeps, task: Task): Promise<void> {
  const { db, board } = deps;
  if (!task.plankaCardId) return;
  let card;
  try {
    card = await board.getCard(task.plankaCardId);
  } catch (err) {
    if (err instanceof BoardError && err.problem === 'gone') {
      await updateTask(db, task.id, { deletedAt: deps.now() });
      return;
    }
    throw err;
  }
  const queued = new Set<string>();
  for (const op of await pendingOpsForTask(db, task.id)) for (const field of changedFields(op)) queued.add(field);
  await updateTask(db, task.id, cacheFields(deps.layout, card, queued));
}

/** The local row's fields as the card has them, leaving out those a later queued write changes. */
function cacheFields(layout: BoardLayout, card: BoardCard, skip: Set<string>): TaskFields {
  const fields: TaskFields = {};
  if (!skip.has('title')) fields.title = card.title;
  if (!skip.has('description')) fields.description = stripMarker(card.description) || null;
  if (!skip.has('dueAt')) fields.dueAt = card.dueAt;
  if (skip.has('list') || skip.has('board') || skip.has('done')) return fields;
  for (const resolved of layout.boards.values()) {
    for (const list of resolved.lists.values()) {
      if (list.id !== card.listId) continue;
      fields.board = resolved.spec.name;
      fields.list = list.name;
      fields.done = card.closed || list.name.toLowerCase() === resolved.spec.doneList.toLowerCase();
      return fields;
    }
  }
  return fields;
}

async function applyDelete(deps: ApplyDeps, op: BoardOp, task: Task): Promise<void> {
  const { db, board } = deps;
  if (task.plankaCardId) {
    try {
      await board.deleteCard(task.plankaCardId);
    } catch (err) {
      if (!(err instanceof BoardError && err.problem === 'gone')) throw err;
    }
  }
  await markOpDone(db, op.id, deps.now());
}
