import type { Db } from '../db/index.js';
import { PlankaError } from './planka/index.js';
import type { BoardOp } from './board-outbox-repo.js';
import { markOpDone } from './board-outbox-repo.js';
import { markerRef, withMarker } from './card-marker.js';
import type { BoardLayout, PlankaBoards, ResolvedBoard } from './planka-boards.js';
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
  boards: PlankaBoards;
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
 * Throws PlankaError for trouble worth retrying, BoardWriteRejected for a final refusal.
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
    if (err instanceof PlankaError && !err.retryable) {
      deps.boards.invalidate(err);
      if (err.kind === 'unauthorized') throw err; // wrong credentials: keep it queued until they are fixed
      throw new BoardWriteRejected(`Planka refused it (${err.kind}${err.code ? ` ${err.code}` : ''})`, op.id, { cause: err });
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
  const { db, boards, layout } = deps;
  if (task.plankaCardId) {
    await markOpDone(db, op.id, deps.now());
    return;
  }
  const { listId } = resolve(deps, task, op.id);
  let cardId: string | undefined;
  if (attemptedBefore) {
    for (const board of layout.boards.values()) {
      const view = await boards.client.getBoard(board.boardId);
      cardId = view.cards.find((card) => markerRef(card.description) === task.ref)?.id;
      if (cardId) break;
    }
  }
  cardId ??= (
    await boards.client.createCard(listId, {
      name: task.title,
      description: withMarker(task.description, task.ref),
      ...(task.dueAt ? { dueDate: task.dueAt.toISOString() } : {}),
    })
  ).id;
  const recorded = cardId;
  await db.transaction().execute(async (trx) => {
    await updateTask(trx, task.id, { plankaCardId: recorded });
    await markOpDone(trx, op.id, deps.now());
  });
}

async function applyUpdate(deps: ApplyDeps, op: BoardOp, task: Task): Promise<void> {
  const { db, boards } = deps;
  if (!task.plankaCardId) throw new BoardWriteRejected('the card was never created on the board', op.id);
  const { board, listId } = resolve(deps, task, op.id);
  let card;
  try {
    card = await boards.client.getCard(task.plankaCardId);
  } catch (err) {
    if (err instanceof PlankaError && err.kind === 'not-found') {
      // Deleted (or archived away) by hand in Planka: the local copy follows.
      await updateTask(db, task.id, { deletedAt: deps.now() });
      throw new BoardWriteRejected('the card was deleted in Planka', op.id, { cause: err });
    }
    throw err;
  }
  const dueDate = task.dueAt ? task.dueAt.toISOString() : null;
  const description = withMarker(task.description, task.ref);
  const sameDue = (card.dueDate === null ? null : new Date(card.dueDate).getTime()) === (task.dueAt?.getTime() ?? null);
  if (card.name !== task.title || card.description !== description || !sameDue) {
    await boards.client.updateCard(card.id, { name: task.title, description, dueDate });
  }
  if (card.listId !== listId) {
    await boards.client.moveCard(card.id, { listId, ...(card.boardId !== board.boardId ? { boardId: board.boardId } : {}) });
  }
  await markOpDone(db, op.id, deps.now());
}

async function applyDelete(deps: ApplyDeps, op: BoardOp, task: Task): Promise<void> {
  const { db, boards } = deps;
  if (task.plankaCardId) {
    try {
      await boards.client.deleteCard(task.plankaCardId);
    } catch (err) {
      if (!(err instanceof PlankaError && err.kind === 'not-found')) throw err;
    }
  }
  await markOpDone(db, op.id, deps.now());
}
