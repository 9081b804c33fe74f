import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { nextEffectKey } from '../outbox/index.js';
import type { Resolution, Tool, ToolCallContext, ToolOutcome, ToolRegistry } from '../tools/index.js';
import { formatDue, parseDue } from './due-date.js';
import { byUrgency, taskLine } from './task-format.js';
import { TaskInputError, describeWrite, type TaskService, type TaskWrite } from './task-service.js';
import type { Task } from './tasks-repo.js';
import { RestorePayload, restorePayload, restorePlan, type RestoreField } from './task-restore.js';

export interface TaskToolsDeps {
  tasks: TaskService;
  timeZone: string;
  now: () => Date;
}

const taskRef = z.string().trim().min(1).max(200).describe('The task: its #number from list_tasks (e.g. "#12") or words of its title');
const dueText = z
  .string()
  .trim()
  .min(1)
  .max(60)
  .describe('Due date in the owner\'s time zone: ISO ("2026-11-27" or "2026-11-27T09:00") or simple words ("friday", "tomorrow 9am", "in 3 days")');

const UncreatePayload = z.object({ taskId: z.number().int() });
/** What a resolved task call stores with its approval: the exact task id. */
const TaskTarget = z.object({ taskId: z.number().int() });

/**
 * The board tools the model may call: create, list, move, complete, rename, re-date (L1,
 * each with Undo restoring the previous state) and delete (L2: waits for approval).
 */
export function registerTaskTools(registry: ToolRegistry, deps: TaskToolsDeps): void {
  const { tasks, timeZone, now } = deps;

  function due(text: string | undefined | null): Date | null | undefined {
    if (text === undefined) return undefined;
    if (text === null || /^(none|no|clear|remove)$/i.test(text)) return null;
    const parsed = parseDue(text, now(), timeZone);
    if (!parsed.ok) throw new TaskInputError(parsed.error);
    return parsed.due;
  }

  async function guarded(work: () => Promise<ToolOutcome>): Promise<ToolOutcome> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof TaskInputError) return { content: `Not done: ${err.message}` };
      throw err;
    }
  }

  /** The task a call names, found by id or title when the call is requested (shown in its approval). */
  async function resolveTask(args: { task: string }): Promise<Resolution> {
    try {
      const task = await tasks.resolve(args.task);
      return { ok: true, object: { id: `#${task.id}`, title: task.title, where: `${task.board} / ${task.list}`, ref: { taskId: task.id } } };
    } catch (err) {
      if (err instanceof TaskInputError) return { ok: false, error: err.message };
      throw err;
    }
  }

  /** Exactly the task resolved at request time; the model's words are resolved again only without one. */
  async function targetTask(args: { task: string }, ctx: ToolCallContext): Promise<Task> {
    if (ctx.object) return tasks.get(TaskTarget.parse(ctx.object.ref).taskId);
    return tasks.resolve(args.task);
  }

  /** The outcome of a rename, re-date or move: its Undo saves exactly the fields it changed. */
  function restoreOutcome(write: TaskWrite, verb: string, changed: readonly RestoreField[]): ToolOutcome {
    const line = `${verb}: ${taskLine(write.task, now(), timeZone)} [${write.task.board} / ${write.task.list}]${describeWrite(write.result)}`;
    const { before } = write;
    const label = [
      changed.includes('place') ? `back to ${before.board} / ${before.list}` : undefined,
      changed.includes('title') ? `back to “${before.title}”` : undefined,
      changed.includes('dueAt') ? (before.dueAt ? `due ${formatDue(before.dueAt, now(), timeZone)} again` : 'no due date again') : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    return { content: line, summary: line, undo: { kind: 'board_restore_task', payload: restorePayload(before, write.task, changed), label } };
  }

  const create: Tool<{ board: string; list?: string | undefined; title: string; description?: string | undefined; due?: string | undefined }> = {
    name: 'create_task',
    description: 'Add a task (a card) to one of the owner\'s boards. Boards: Career, Health, Family, Finance, Creative (unless the owner changed them). The list defaults to the board\'s inbox.',
    tier: 'L1',
    args: z
      .object({
        board: z.string().trim().min(1).max(60).describe('Board name, e.g. Family'),
        list: z.string().trim().min(1).max(60).optional().describe('List on that board; omit for the inbox'),
        title: z.string().trim().min(1).max(300),
        description: z.string().trim().max(4000).optional(),
        due: dueText.optional(),
      })
      .strict(),
    describe: (args) => `Add “${args.title}” to ${args.board}${args.list ? ` / ${args.list}` : ''}${args.due ? `, due ${args.due}` : ''}`,
    run: (args, ctx) =>
      guarded(async () => {
        const write = await tasks.create({ key: ctx.idempotencyKey, board: args.board, title: args.title, description: args.description ?? null, dueAt: due(args.due) ?? null, ...(args.list ? { list: args.list } : {}) });
        if (write.result.state === 'queued' || write.result.state === 'blocked') await tasks.noteOwnerTold(write.task.id);
        const line = `Added ${taskLine(write.task, now(), timeZone)} to ${write.task.board} / ${write.task.list}${describeWrite(write.result)}`;
        return { content: line, summary: line, undo: { kind: 'board_uncreate_task', payload: { taskId: write.task.id }, label: `delete “${write.task.title}”` } };
      }),
  };

  const list: Tool<{ board?: string | undefined }> = {
    name: 'list_tasks',
    description: 'List the owner\'s open tasks with their #numbers, board, list and due date (overdue first).',
    tier: 'L0',
    args: z.object({ board: z.string().trim().min(1).max(60).optional() }).strict(),
    describe: (args) => `List open tasks${args.board ? ` on ${args.board}` : ''}`,
    run: (args) =>
      guarded(async () => {
        const { tasks: open, note } = await tasks.list(args.board);
        const lines = open.sort(byUrgency(now())).map((task) => `${taskLine(task, now(), timeZone)} [${task.board} / ${task.list}]`);
        return { content: [note, lines.length === 0 ? 'No open tasks.' : lines.join('\n')].filter(Boolean).join('\n') };
      }),
  };

  const move: Tool<{ task: string; list: string; board?: string | undefined }> = {
    name: 'move_task',
    description: 'Move a task to another list (and optionally another board).',
    tier: 'L1',
    args: z.object({ task: taskRef, list: z.string().trim().min(1).max(60), board: z.string().trim().min(1).max(60).optional() }).strict(),
    describe: (args, object) => `Move ${object ? 'task' : `task ${args.task}`} to ${args.board ? `${args.board} / ` : ''}${args.list}`,
    resolve: resolveTask,
    run: (args, ctx) =>
      guarded(async () => {
        const task = await targetTask(args, ctx);
        return restoreOutcome(await tasks.change(task.id, { list: args.list, ...(args.board ? { board: args.board } : {}) }, ctx.idempotencyKey), 'Moved', ['place']);
      }),
  };

  const complete: Tool<{ task: string }> = {
    name: 'complete_task',
    description: "Mark a task done (moves it to its board's done list).",
    tier: 'L1',
    args: z.object({ task: taskRef }).strict(),
    describe: (args, object) => (object ? 'Complete task' : `Complete task ${args.task}`),
    resolve: resolveTask,
    run: (args, ctx) =>
      guarded(async () => {
        const task = await targetTask(args, ctx);
        const spec = await tasks.boardSpec(task.board);
        return restoreOutcome(await tasks.change(task.id, { list: spec.doneList }, ctx.idempotencyKey), 'Done', ['place']);
      }),
  };

  const rename: Tool<{ task: string; title: string }> = {
    name: 'rename_task',
    description: 'Change the title of a task.',
    tier: 'L1',
    args: z.object({ task: taskRef, title: z.string().trim().min(1).max(300) }).strict(),
    describe: (args, object) => `Rename ${object ? 'task' : `task ${args.task}`} to “${args.title}”`,
    resolve: resolveTask,
    run: (args, ctx) =>
      guarded(async () => {
        const task = await targetTask(args, ctx);
        return restoreOutcome(await tasks.change(task.id, { title: args.title }, ctx.idempotencyKey), 'Renamed', ['title']);
      }),
  };

  const redate: Tool<{ task: string; due: string }> = {
    name: 'redate_task',
    description: 'Set or clear the due date of a task ("none" clears it).',
    tier: 'L1',
    args: z.object({ task: taskRef, due: dueText }).strict(),
    describe: (args, object) => `Set the due date ${object ? 'of task' : `of task ${args.task}`} to ${args.due}`,
    resolve: resolveTask,
    run: (args, ctx) =>
      guarded(async () => {
        const task = await targetTask(args, ctx);
        return restoreOutcome(await tasks.change(task.id, { dueAt: due(args.due) ?? null }, ctx.idempotencyKey), 'Re-dated', ['dueAt']);
      }),
  };

  const remove: Tool<{ task: string }> = {
    name: 'delete_task',
    description: 'Delete a task (its card) for good. Needs the owner\'s approval.',
    tier: 'L2',
    args: z.object({ task: taskRef }).strict(),
    describe: (args, object) => (object ? 'Delete from the board for good, task' : `Delete task ${args.task} from the board`),
    resolve: resolveTask,
    run: (args, ctx) =>
      guarded(async () => {
        const task = await targetTask(args, ctx);
        const write = await tasks.remove(task.id, ctx.idempotencyKey);
        const line = `Deleted #${task.id} ${task.title}${describeWrite(write.result)}`;
        return { content: line, summary: line };
      }),
  };

  registry.register(create);
  registry.register(list);
  registry.register(move);
  registry.register(complete);
  registry.register(rename);
  registry.register(redate);
  registry.register(remove);

  registry.registerUndo('board_uncreate_task', async (payload) => {
    const { taskId } = UncreatePayload.parse(payload);
    try {
      const write = await tasks.remove(taskId, undoKey());
      return `Deleted “${write.before.title}”${describeWrite(write.result)}.`;
    } catch (err) {
      if (err instanceof TaskInputError) return err.message;
      throw err;
    }
  });
  registry.registerUndo('board_restore_task', async (payload) => {
    const saved = RestorePayload.parse(payload);
    try {
      // Read the card first: a field changed in Planka since is kept, and the others are never sent.
      const { task: current } = await tasks.current(saved.taskId);
      const { restore, kept } = restorePlan(saved, current);
      const keptLine = kept.length > 0 ? ` Kept ${kept.join(' and ')}: changed since.` : '';
      if (Object.keys(restore).length === 0) return `Nothing to undo:${keptLine}`;
      const write = await tasks.change(saved.taskId, restore, undoKey());
      return `Restored: ${taskLine(write.task, now(), timeZone)} [${write.task.board} / ${write.task.list}]${describeWrite(write.result)}.${keptLine}`;
    } catch (err) {
      if (err instanceof TaskInputError) return err.message;
      throw err;
    }
  });
}

function undoKey(): string {
  return nextEffectKey('board:undo') ?? `undo:${randomUUID()}`;
}

