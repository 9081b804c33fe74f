import { formatDue } from './due-date.js';
import type { Task } from './tasks-repo.js';

/** `#12 Renew passport — due Fri 27 Nov 17:00 (overdue)`; plain text, escape before HTML. */
export function taskLine(task: Task, now: Date, timeZone: string): string {
  const due = task.dueAt ? ` — due ${formatDue(task.dueAt, now, timeZone)}${!task.done && task.dueAt < now ? ' (overdue)' : ''}` : '';
  return `#${task.id} ${task.title}${due}`;
}

/** Overdue first (oldest due first), then by due date, then undated in creation order. */
export function byUrgency(now: Date): (a: Task, b: Task) => number {
  return (a, b) => {
    const rank = (task: Task): number => (task.dueAt === null ? 2 : task.dueAt < now ? 0 : 1);
    return rank(a) - rank(b) || (a.dueAt?.getTime() ?? 0) - (b.dueAt?.getTime() ?? 0) || a.id - b.id;
  };
}
