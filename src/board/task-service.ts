import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { enqueueOp, markOpFinal, markOwnerTold, pendingOpsForTask } from './card-write-queue-repo.js';
import type { CardWriteWorker, FlushResult } from './card-write-worker.js';
import { findBoard, findList, type BoardSpec, type BoardStructure } from './board-structure.js';
import { refreshFromCard } from './apply-op.js';
import { pullBoards } from './board-sync.js';
import type { BoardHealth } from './board-health.js';
import { BoardError, type TaskBoard } from './task-board.js';
import { findTask, insertTask, listTasks, updateTask, type Task, type TaskFields } from './tasks-repo.js';

/** An expected refusal (unknown board, list or task): its message is meant for the owner or the model. */
export class TaskInputError extends Error {
  override readonly name = 'TaskInputError';
}

export interface TaskWrite {
  task: Task;
  /** The task before the write (for Undo). */
  before: Task;
  result: FlushResult;
}

export interface TaskServiceDeps {
  db: Db;
  log: Logger;
  board: TaskBoard | undefined;
  worker: CardWriteWorker;
  structure: () => Promise<BoardStructure>;
  now: () => Date;
  health?: BoardHealth;
}

/**
 * Every task read and write. A write changes the local row and queues the matching
 * Planka write in one transaction, then tries to apply it at once; if Planka is down
 * it stays queued (the worker retries), without Planka it stays local until Planka is
 * configured. Expected problems throw TaskInputError with an owner-readable message.
 */
export class TaskService {
  readonly #deps: TaskServiceDeps;

  constructor(deps: TaskServiceDeps) {
    this.#deps = deps;
  }

  get plankaConfigured(): boolean {
    return this.#deps.board !== undefined;
  }

  structure(): Promise<BoardStructure> {
    return this.#deps.structure();
  }

  async boardSpec(name: string): Promise<BoardSpec> {
    const structure = await this.#deps.structure();
    const board = findBoard(structure, name);
    if (!board) throw new TaskInputError(`There is no board called "${name}". Boards: ${structure.boards.map((b) => b.name).join(', ')}.`);
    return board;
  }

  async create(input: { key: string; board: string; list?: string; title: string; description?: string | null; dueAt?: Date | null }): Promise<TaskWrite> {
    const spec = await this.boardSpec(input.board);
    const list = input.list ? findList(spec, input.list) : spec.inboxList;
    if (!list) throw new TaskInputError(`Board ${spec.name} has no list "${input.list ?? ''}". Lists: ${spec.lists.join(', ')}.`);
    const title = input.title.trim();
    if (title === '') throw new TaskInputError('A task needs a title.');
    const { task } = await this.#deps.db.transaction().execute(async (trx) => {
      const inserted = await insertTask(trx, {
        idempotencyKey: input.key,
        title,
        description: input.description?.trim() || null,
        board: spec.name,
        list,
        dueAt: input.dueAt ?? null,
        done: list === spec.doneList,
      });
      if (inserted.created) await enqueueOp(trx, { taskId: inserted.task.id, op: 'create', payload: {}, key: `${input.key}:create`, now: this.#deps.now() });
      return inserted;
    });
    const result = await this.#deps.worker.flushTask(task.id);
    return { task: (await findTask(this.#deps.db, task.id)) ?? task, before: task, result };
  }

  /** Changes fields of an open or done task; board and list names are checked against the structure. */
  async change(taskId: number, fields: TaskFields, key: string): Promise<TaskWrite> {
    const before = await this.get(taskId);
    const next: TaskFields = { ...fields };
    if (fields.board !== undefined || fields.list !== undefined) {
      const spec = await this.boardSpec(fields.board ?? before.board);
      const list = fields.list !== undefined ? findList(spec, fields.list) ?? extraList(before, spec, fields.list) : fields.board !== undefined && spec.name !== before.board ? spec.inboxList : before.list;
      if (!list) throw new TaskInputError(`Board ${spec.name} has no list "${fields.list ?? ''}". Lists: ${spec.lists.join(', ')}.`);
      next.board = spec.name;
      next.list = list;
      next.done = list.toLowerCase() === spec.doneList.toLowerCase();
    }
    if (fields.title !== undefined && fields.title.trim() === '') throw new TaskInputError('A task needs a title.');
    await this.#deps.db.transaction().execute(async (trx) => {
      await updateTask(trx, taskId, next);
      const pending = await pendingOpsForTask(trx, taskId);
      // A create that has never been tried will push the current state anyway.
      const untriedCreate = pending.some((op) => op.op === 'create' && op.attempts === 0);
      if (!untriedCreate) await enqueueOp(trx, { taskId, op: 'update', payload: { fields: Object.keys(next) }, key: `${key}:update`, now: this.#deps.now() });
    });
    const result = await this.#deps.worker.flushTask(taskId);
    return { task: await this.get(taskId), before, result };
  }

  async remove(taskId: number, key: string): Promise<TaskWrite> {
    const before = await this.get(taskId);
    await this.#deps.db.transaction().execute(async (trx) => {
      await updateTask(trx, taskId, { deletedAt: this.#deps.now() });
      const pending = await pendingOpsForTask(trx, taskId);
      const untriedCreate = pending.find((op) => op.op === 'create' && op.attempts === 0);
      if (untriedCreate) {
        // Never reached Planka: nothing to delete there, nothing left to push.
        for (const op of pending) await markOpFinal(trx, op.id, 'cancelled', null, this.#deps.now());
        return;
      }
      await enqueueOp(trx, { taskId, op: 'delete', payload: {}, key: `${key}:delete`, now: this.#deps.now() });
    });
    const result = await this.#deps.worker.flushTask(taskId);
    return { task: (await findTask(this.#deps.db, taskId)) ?? before, before, result };
  }

  /**
   * The task as Planka has it now: its card is read and the local copy refreshed first
   * (Planka is the source of truth for cards). Without Planka, or when it cannot be read,
   * the local copy is returned with `fresh: false`.
   */
  async current(taskId: number): Promise<{ task: Task; fresh: boolean }> {
    const task = await this.get(taskId);
    const { board, db, log } = this.#deps;
    if (!board || !task.plankaCardId) return { task, fresh: false };
    try {
      const layout = await board.layout(await this.#deps.structure());
      await refreshFromCard({ db, board, layout, now: this.#deps.now }, task);
    } catch (err) {
      log.warn({ err: err instanceof Error ? err.message : String(err), task: taskId }, 'could not read the card before a write');
      return { task, fresh: false };
    }
    return { task: await this.get(taskId), fresh: true };
  }

  /** A task that is not deleted; TaskInputError otherwise. */
  async get(taskId: number): Promise<Task> {
    const task = await findTask(this.#deps.db, taskId);
    if (!task || task.deletedAt) throw new TaskInputError(`There is no task #${taskId} (it may have been deleted).`);
    return task;
  }

  /** Finds a task by `#12`, `12` or a piece of its title (open tasks first). */
  async resolve(reference: string): Promise<Task> {
    const text = reference.trim();
    const numeric = /^#?(\d{1,9})$/.exec(text);
    if (numeric) return this.get(Number(numeric[1]));
    const all = await listTasks(this.#deps.db, { includeDone: true });
    const wanted = text.toLowerCase();
    const exact = all.filter((task) => task.title.toLowerCase() === wanted);
    const partial = exact.length > 0 ? exact : all.filter((task) => task.title.toLowerCase().includes(wanted));
    const open = partial.filter((task) => !task.done);
    const candidates = open.length > 0 ? open : partial;
    if (candidates.length === 1 && candidates[0]) return candidates[0];
    if (candidates.length === 0) throw new TaskInputError(`No task matches "${text}". Use list_tasks to see them with their #numbers.`);
    throw new TaskInputError(`"${text}" matches ${candidates.length} tasks: ${candidates.slice(0, 5).map((task) => `#${task.id} ${task.title}`).join('; ')}. Name one by its #number.`);
  }

  /**
   * Open tasks, refreshed from Planka first when it is configured. `note` says why the
   * list may be stale (Planka unreachable) or local only (not configured).
   */
  async list(boardFilter?: string): Promise<{ tasks: Task[]; note?: string }> {
    const boardName = boardFilter ? (await this.boardSpec(boardFilter)).name : undefined;
    let note: string | undefined;
    const { board, db, log } = this.#deps;
    if (board) {
      try {
        const layout = await board.layout(await this.#deps.structure());
        await pullBoards(db, board, layout, this.#deps.now());
        this.#deps.health?.clear();
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'could not read the planka boards');
        if (err instanceof BoardError && err.blocksAll) {
          this.#deps.health?.report(err, this.#deps.now());
          note = `${err.message}. Fix: ${err.fix ?? 'check the Planka settings'}. This is my local copy.`;
        } else {
          note = 'Planka is unreachable right now: this is my local copy.';
        }
      }
    }
    return { tasks: await listTasks(db, boardName === undefined ? {} : { board: boardName }), ...(note ? { note } : {}) };
  }

  /** Records that the owner was told these writes are queued (they hear again when they land). */
  async noteOwnerTold(taskId: number): Promise<void> {
    const pending = await pendingOpsForTask(this.#deps.db, taskId);
    await markOwnerTold(this.#deps.db, pending.map((op) => op.id));
  }
}

function extraList(task: Task, spec: BoardSpec, name: string): string | undefined {
  // A list the owner added by hand in Planka is known from the task that sits in it.
  return task.board === spec.name && task.list.toLowerCase() === name.trim().toLowerCase() ? task.list : undefined;
}

/** Where a write stands, for the owner, in parentheses after the task; empty once it is on the board. */
export function describeWrite(result: FlushResult): string {
  const note = writeNote(result);
  return note === undefined ? '' : ` (${note})`;
}

/** What describeWrite puts in parentheses, for a reply that has more to say in them. */
export function writeNote(result: FlushResult): string | undefined {
  switch (result.state) {
    case 'applied':
      return undefined;
    case 'local':
      return 'kept locally: Planka is not configured';
    case 'queued':
      return 'queued, will add when Planka is back';
    case 'blocked':
      return `not on the board yet: ${result.reason}. Fix: ${result.fix}. It is kept and added once that is fixed`;
    case 'rejected':
      return `Planka refused it: ${result.reason}`;
  }
}
