import type { ContextProvider, ContextItem } from '../context/index.js';
import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { formatDue } from './due-date.js';
import { listTasks, type Task } from './tasks-repo.js';

const MAX_ITEMS = 8;
const SOON_MS = 3 * 86_400_000;

/**
 * `tasks`: open tasks that share words with the query, plus those overdue or due
 * within three days. Reads the local copy only (no Planka call on the chat path);
 * never throws.
 */
export function tasksContextProvider(deps: { db: Db; log: Logger; timeZone: string; now: () => Date }): ContextProvider {
  return {
    name: 'tasks',
    async gather(query) {
      try {
        const now = deps.now();
        const words = new Set(tokens(query));
        const scored = (await listTasks(deps.db)).map((task) => ({ task, score: score(task, words, now) })).filter((entry) => entry.score > 0);
        scored.sort((a, b) => b.score - a.score || (a.task.dueAt?.getTime() ?? Infinity) - (b.task.dueAt?.getTime() ?? Infinity));
        const items: ContextItem[] = scored.slice(0, MAX_ITEMS).map(({ task, score: value }) => ({
          source: 'task',
          label: `Task #${task.id} on ${task.board}`,
          text: `Task #${task.id} "${task.title}" on ${task.board} / ${task.list}${task.dueAt ? `, due ${formatDue(task.dueAt, now, deps.timeZone)}${task.dueAt < now ? ' (overdue)' : ''}` : ''}`,
          score: value,
          ...(task.dueAt ? { date: task.dueAt } : {}),
          ref: String(task.id),
        }));
        return { items };
      } catch (err) {
        deps.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'tasks context failed');
        return { items: [], note: 'Tasks could not be read.' };
      }
    },
  };
}

function tokens(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter((word) => word.length >= 3);
}

function score(task: Task, words: Set<string>, now: Date): number {
  const overlap = tokens(`${task.title} ${task.description ?? ''} ${task.board}`).filter((word) => words.has(word)).length;
  const urgent = task.dueAt !== null && task.dueAt.getTime() - now.getTime() < SOON_MS ? 0.5 : 0;
  return overlap + urgent;
}
