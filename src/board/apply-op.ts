import type { Db } from '../db/index.js';
import type { BoardOp } from './card-write-queue-repo.js';
import { markOpDone } from './card-write-queue-repo.js';
import { markerRef, withMarker } from './card-marker.js';
import { BoardError, type BoardLayout, type ResolvedBoard, type TaskBoard } from './task-board.js';
import { findTask, updateTask, type Task } from './tasks-repo.js';

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
 * - `update` pushes the task's current local state (title, description, due, list),
 *   and `delete` removes the card (a 404 counts as done): both are idempotent, so
 *   repeating them after a crash changes nothing.
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
  cardId ??= (await board.createCard(listId, { title: task.title, description: withMarker(task.description, task.ref), dueAt: task.dueAt })).id;
  const recorded = cardId;
  await db.transaction().execute(async (trx) => {
    await updateTask(trx, task.id, { plankaCardId: recorded });
    await markOpDone(trx, op.id, deps.now());
  });
}

async function applyUpdate(deps: ApplyDeps, op: BoardOp, task: Task): Promise<void> {
  const { db, board } = deps;
  if (!task.plankaCardId) throw new BoardWriteRejected('the card was never created on the board', op.id);
  const { board: target, listId } = resolve(deps, task, op.id);
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
  const description = withMarker(task.description, task.ref);
  const sameDue = (card.dueAt?.getTime() ?? null) === (task.dueAt?.getTime() ?? null);
  if (card.title !== task.title || card.description !== description || !sameDue) {
    await board.updateCard(card.id, { title: task.title, description, dueAt: task.dueAt });
  }
  if (card.listId !== listId) {
    await board.moveCard(card.id, { listId, ...(card.boardId !== target.boardId ? { boardId: target.boardId } : {}) });
  }
  await markOpDone(db, op.id, deps.now());
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
