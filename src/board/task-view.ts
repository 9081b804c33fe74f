import { escapeHtml } from '../channels/telegram/format/index.js';
import type { Buttons } from '../commands/index.js';
import type { OwnerButton } from '../messenger/index.js';
import type { BoardStructure } from './board-structure.js';
import { byUrgency, taskLine } from './task-format.js';
import type { Task } from './tasks-repo.js';

/** Telegram allows 100 buttons per message; four per task. */
export const MAX_TASKS_WITH_BUTTONS = 25;

export const NOT_CONFIGURED_NOTE =
  'Planka is not configured, so tasks are kept here only. To use the board, set PLANKA_BASE_URL and PLANKA_API_KEY ' +
  '(or PLANKA_USERNAME and PLANKA_PASSWORD) in .env and restart: everything kept here is then pushed to Planka.';

/** Callback data: `bt:<action>:<task id>[:<arg>]`, at most ~20 bytes (Telegram allows 64). */
export const TASK_CALLBACK = /^bt:([dmslb]):(\d{1,9})(?::(\d{1,2}))?$/;

export function taskButtons(task: Task): OwnerButton[] {
  return [
    { text: `✓ #${task.id}`, data: `bt:d:${task.id}` },
    { text: `↔ #${task.id}`, data: `bt:m:${task.id}` },
    { text: '+1d', data: `bt:s:${task.id}:1` },
    { text: '+1w', data: `bt:s:${task.id}:7` },
  ];
}

/**
 * The /tasks message: overdue tasks first, then every open task grouped by board (in
 * structure order) and list, soonest due first; one button row per task.
 */
export function renderTaskList(tasks: Task[], structure: BoardStructure, now: Date, timeZone: string, notes: string[]): { html: string; buttons: Buttons | undefined } {
  const sorted = [...tasks].sort(byUrgency(now));
  const overdue = sorted.filter((task) => task.dueAt !== null && task.dueAt < now);
  const rest = sorted.filter((task) => !overdue.includes(task));
  const lines: string[] = notes.map((note) => `<i>${escapeHtml(note)}</i>`);
  if (tasks.length === 0) {
    lines.push('No open tasks.');
    return { html: lines.join('\n'), buttons: undefined };
  }
  const shown: Task[] = [];
  if (overdue.length > 0) {
    lines.push('<b>⚠️ Overdue</b>');
    for (const task of overdue) {
      lines.push(`${escapeHtml(taskLine(task, now, timeZone))} <i>(${escapeHtml(`${task.board} / ${task.list}`)})</i>`);
      shown.push(task);
    }
  }
  const boardOrder = structure.boards.map((board) => board.name);
  const boards = [...new Set([...boardOrder, ...rest.map((task) => task.board)])];
  for (const board of boards) {
    const onBoard = rest.filter((task) => task.board === board);
    if (onBoard.length === 0) continue;
    lines.push('', `<b>${escapeHtml(board)}</b>`);
    const spec = structure.boards.find((candidate) => candidate.name === board);
    const listOrder = [...new Set([...(spec?.lists ?? []), ...onBoard.map((task) => task.list)])];
    for (const list of listOrder) {
      const inList = onBoard.filter((task) => task.list === list);
      if (inList.length === 0) continue;
      lines.push(`<i>${escapeHtml(list)}</i>`);
      for (const task of inList) {
        lines.push(escapeHtml(taskLine(task, now, timeZone)));
        shown.push(task);
      }
    }
  }
  if (shown.length > MAX_TASKS_WITH_BUTTONS) lines.push('', `<i>Buttons for the first ${MAX_TASKS_WITH_BUTTONS} tasks; use /tasks &lt;board&gt; for the rest.</i>`);
  const rows = shown.slice(0, MAX_TASKS_WITH_BUTTONS).map(taskButtons);
  return { html: lines.join('\n'), buttons: rows };
}

export function moveKeyboard(task: Task, lists: string[]): Buttons {
  const buttons = lists.flatMap((list, index) => (list === task.list ? [] : [{ text: list, data: `bt:l:${task.id}:${index}` }]));
  const rows: Buttons = [];
  for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
  return rows;
}

export function boardKeyboard(task: Task, structure: BoardStructure): Buttons {
  const buttons = structure.boards.flatMap((board, index) => (board.name === task.board ? [] : [{ text: `→ ${board.name}`, data: `bt:b:${task.id}:${index}` }]));
  const rows: Buttons = [];
  for (let i = 0; i < buttons.length; i += 3) rows.push(buttons.slice(i, i + 3));
  return rows;
}
