import type { Db } from '../db/index.js';
import { pendingOps } from './card-write-queue-repo.js';
import { markerRef, stripMarker } from './card-marker.js';
import type { BoardLayout, TaskBoard } from './task-board.js';
import { IMPORTED_KEY_PREFIX, findTaskByCard, insertTask, listTasks, updateTask } from './tasks-repo.js';

/**
 * Brings the local copy up to date with the cards on the boards (the owner also works
 * in Planka's app): new cards are imported, changed ones updated, vanished ones marked
 * deleted. A task with a write still queued is left alone: the queued write wins.
 */
export async function pullBoards(db: Db, board: TaskBoard, layout: BoardLayout, now: Date): Promise<void> {
  const busy = new Set((await pendingOps(db)).map((op) => op.taskId));
  const local = await listTasks(db, { includeDone: true });
  const byRef = new Map(local.map((task) => [task.ref, task]));
  const seen = new Set<string>();
  for (const resolved of layout.boards.values()) {
    const view = await board.readBoard(resolved.boardId);
    const listNames = new Map(view.lists.map((list) => [list.id, list.name]));
    resolved.lists = new Map(view.lists.map((list) => [list.name.trim().toLowerCase(), list]));
    for (const card of view.cards) {
      seen.add(card.id);
      const listName = listNames.get(card.listId) ?? resolved.spec.inboxList;
      const done = card.closed || listName.toLowerCase() === resolved.spec.doneList.toLowerCase();
      const fields = {
        title: card.title,
        description: stripMarker(card.description) || null,
        board: resolved.spec.name,
        list: listName,
        dueAt: card.dueAt,
        done,
      };
      const ref = markerRef(card.description);
      const task = (await findTaskByCard(db, card.id)) ?? (ref ? byRef.get(ref) : undefined);
      if (!task) {
        await insertTask(db, { idempotencyKey: `${IMPORTED_KEY_PREFIX}${card.id}`, ...fields, plankaCardId: card.id });
        continue;
      }
      if (busy.has(task.id) || task.deletedAt) continue;
      const changed =
        task.title !== fields.title ||
        (task.description ?? null) !== fields.description ||
        task.board !== fields.board ||
        task.list !== fields.list ||
        task.done !== fields.done ||
        (task.dueAt?.getTime() ?? null) !== (fields.dueAt?.getTime() ?? null) ||
        task.plankaCardId !== card.id;
      if (changed) await updateTask(db, task.id, { ...fields, plankaCardId: card.id });
    }
  }
  const synced = new Set([...layout.boards.values()].map((board) => board.spec.name.toLowerCase()));
  for (const task of local) {
    if (task.plankaCardId && !seen.has(task.plankaCardId) && !busy.has(task.id) && !task.deletedAt && synced.has(task.board.toLowerCase())) {
      await updateTask(db, task.id, { deletedAt: now });
    }
  }
}
