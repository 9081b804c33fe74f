import { randomUUID } from 'node:crypto';
import { escapeHtml } from '../channels/telegram/format/index.js';
import type { CommandRegistry } from '../commands/index.js';
import { ChatHandlers } from '../commands/index.js';
import type { LanguageModel } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import { nextEffectKey } from '../outbox/index.js';
import { chooseBoard } from './board-classifier.js';
import { parseDue, snoozeDue } from './due-date.js';
import { taskLine } from './task-format.js';
import { TaskInputError, describeWrite, writeNote, type TaskService, type TaskWrite } from './task-service.js';
import { NOT_CONFIGURED_NOTE, TASK_CALLBACK, boardKeyboard, moveKeyboard, renderTaskList } from './task-view.js';

export interface TaskCommandDeps {
  registry: CommandRegistry;
  tasks: TaskService;
  llm: LanguageModel;
  timeZone: string;
  now: () => Date;
  log: Logger;
}

function workKey(label: string): string {
  return nextEffectKey(label) ?? `adhoc:${randomUUID()}`;
}

/** /tasks, /task and the task buttons (Done, Move, Snooze, board correction). */
export function taskCommands(deps: TaskCommandDeps): ChatHandlers {
  const { registry, tasks, timeZone, now, log } = deps;
  registry.add({ command: 'tasks', description: 'Open tasks by board and list, overdue first, with Done/Move/Snooze buttons', args: '[board]' });
  registry.add({ command: 'task', description: 'Add a task to the right board’s inbox (the local model picks the board)', args: '<text> [due <when>]' });
  const handlers = new ChatHandlers();

  handlers.command('tasks', async (request) => {
    const board = request.args.trim();
    try {
      const structure = await tasks.structure();
      const { tasks: open, note } = await tasks.list(board || undefined);
      const notes = [...(tasks.plankaConfigured ? [] : [NOT_CONFIGURED_NOTE]), ...(note ? [note] : [])];
      const view = renderTaskList(open, structure, now(), timeZone, notes);
      await request.reply(view.html, { html: true, ...(view.buttons ? { buttons: view.buttons } : {}) });
    } catch (err) {
      if (!(err instanceof TaskInputError)) throw err;
      await request.reply(escapeHtml(err.message), { html: true });
    }
  });

  handlers.command('task', async (request) => {
    const text = request.args.trim();
    if (text === '') {
      await request.reply('Usage: /task <text> [due <when>], e.g. /task renew passport due friday');
      return;
    }
    const dueMatch = /\s+due\s+(.+)$/i.exec(text);
    let dueAt: Date | null = null;
    let title = text;
    if (dueMatch?.[1]) {
      const parsed = parseDue(dueMatch[1], now(), timeZone);
      if (!parsed.ok) {
        await request.reply(escapeHtml(`Not added: ${parsed.error}.`), { html: true });
        return;
      }
      dueAt = parsed.due;
      title = text.slice(0, dueMatch.index).trim();
    }
    const structure = await tasks.structure();
    const choice = await chooseBoard(deps.llm, structure, title, log);
    const write = await tasks.create({ key: workKey('board:task'), board: choice.board, title, dueAt });
    if (write.result.state === 'queued' || write.result.state === 'blocked') await tasks.noteOwnerTold(write.task.id);
    // One pair of parentheses for everything the owner should know about this task.
    const notes = [writeNote(write.result), choice.by === 'fallback' ? `${choice.reason}, so I chose ${choice.board}; tap to change` : undefined].filter((note) => note !== undefined);
    const aside = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    await request.reply(escapeHtml(`Added ${taskLine(write.task, now(), timeZone)} to ${write.task.board} / ${write.task.list}${aside}`), {
      html: true,
      buttons: boardKeyboard(write.task, structure),
    });
  });

  handlers.button(/^bt:/, async (press) => {
    const match = TASK_CALLBACK.exec(press.data);
    if (!match) {
      log.info('unknown task button data');
      await press.answer('Unknown button.');
      return;
    }
    const [, action, idText, argText] = match;
    const taskId = Number(idText);
    const arg = argText === undefined ? undefined : Number(argText);
    let write: TaskWrite;
    try {
      const task = await tasks.get(taskId);
      const spec = await tasks.boardSpec(task.board);
      switch (action) {
        case 'd':
          if (task.done) {
            await press.answer('Already done.');
            return;
          }
          write = await tasks.change(taskId, { list: spec.doneList }, workKey('board:button'));
          break;
        case 'm':
          await press.answer();
          await press.reply(escapeHtml(`Move ${taskLine(task, now(), timeZone)} to:`), { html: true, buttons: moveKeyboard(task, spec.lists) });
          return;
        case 'l': {
          const list = arg === undefined ? undefined : spec.lists[arg];
          if (!list) throw new TaskInputError('That list no longer exists.');
          write = await tasks.change(taskId, { list }, workKey('board:button'));
          break;
        }
        case 's':
          if (arg !== 1 && arg !== 7) throw new TaskInputError('Unknown snooze.');
          write = await tasks.change(taskId, { dueAt: snoozeDue(task.dueAt, arg, now(), timeZone) }, workKey('board:button'));
          break;
        default: {
          const board = arg === undefined ? undefined : (await tasks.structure()).boards[arg];
          if (!board) throw new TaskInputError('That board no longer exists.');
          write = await tasks.change(taskId, { board: board.name }, workKey('board:button'));
        }
      }
    } catch (err) {
      if (!(err instanceof TaskInputError)) throw err;
      await press.answer(err.message.slice(0, 190));
      return;
    }
    if (write.result.state === 'queued' || write.result.state === 'blocked') await tasks.noteOwnerTold(write.task.id);
    const verb = action === 'd' ? 'Done' : action === 's' ? 'Snoozed' : 'Moved';
    await press.answer(`${verb}: #${write.task.id}`);
    await press.reply(`${verb}: ${escapeHtml(taskLine(write.task, now(), timeZone))} [${escapeHtml(`${write.task.board} / ${write.task.list}`)}]${escapeHtml(describeWrite(write.result))}`, { html: true });
  });

  return handlers;
}
