import fs from 'node:fs';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { addDays, formatLocal, instantOf, wallAt, type LocalDate } from '../time/index.js';
import type { BriefingPeriod, BriefingRequest, BriefingSection } from './contracts.js';

/** Days without a review or a change before a project or a card counts as stale. */
export const STALE_DAYS = 14;

/** End of today / this week (Sunday) / this month in the owner's zone. */
function periodEnd(request: BriefingRequest): Date {
  const today: LocalDate = wallAt(request.now, request.timeZone);
  const days: Record<BriefingPeriod, number> = { day: 1, week: 7 - ((wallAt(request.now, request.timeZone).weekday + 6) % 7), month: 0 };
  let end = addDays(today, days[request.period]);
  if (request.period === 'month') end = { year: today.month === 12 ? today.year + 1 : today.year, month: today.month === 12 ? 1 : today.month + 1, day: 1 };
  return instantOf({ ...end, hour: 0, minute: 0 }, request.timeZone);
}

function periodStart(request: BriefingRequest): Date {
  const back: Record<BriefingPeriod, number> = { day: 1, week: 7, month: 30 };
  return new Date(request.now.getTime() - back[request.period] * 86_400_000);
}

/** tasks: due and overdue open cards, the three that matter first. */
export function tasksSection(db: Db): BriefingSection {
  return {
    key: 'tasks',
    async gather(request) {
      const rows = await db
        .selectFrom('tasks')
        .select(['title', 'due_at', 'board'])
        .where('done', '=', false)
        .where('deleted_at', 'is', null)
        .where('due_at', 'is not', null)
        .where('due_at', '<', periodEnd(request))
        .orderBy('due_at')
        .limit(10)
        .execute();
      const lines = rows.map((row) => {
        const due = row.due_at ? new Date(row.due_at) : undefined;
        const overdue = due && due.getTime() < request.now.getTime() ? 'overdue since' : 'due';
        return `${row.title} (${row.board}; ${overdue} ${due ? formatLocal(due, request.timeZone) : ''})`;
      });
      return { connected: true, title: 'Due and overdue tasks (most urgent first)', lines };
    },
  };
}

/** projects: the tree's active projects with progress. */
export function projectsSection(db: Db): BriefingSection {
  return {
    key: 'projects',
    async gather() {
      const rows = await db.selectFrom('projects').select(['name', 'status', 'progress', 'priority']).where('status', 'in', ['active', 'paused']).orderBy('priority').orderBy('name').limit(30).execute();
      return { connected: true, title: 'Projects', lines: rows.map((row) => `${row.name}: ${row.status}, ${row.progress}%`) };
    },
  };
}

/** progress: what moved in the period (cards finished, projects changed). */
export function progressSection(db: Db): BriefingSection {
  return {
    key: 'progress',
    async gather(request) {
      const since = periodStart(request);
      const done = await db.selectFrom('tasks').select(['title']).where('done', '=', true).where('deleted_at', 'is', null).where('updated_at', '>=', since).orderBy('updated_at', 'desc').limit(15).execute();
      const projects = await db.selectFrom('projects').select(['name', 'progress']).where('updated_at', '>=', since).orderBy('updated_at', 'desc').limit(10).execute();
      return {
        connected: true,
        title: 'What moved',
        lines: [...done.map((row) => `Done: ${row.title}`), ...projects.map((row) => `Project updated: ${row.name} (${row.progress}%)`)],
      };
    },
  };
}

/** stale-projects: projects without a review and open cards untouched for STALE_DAYS. */
export function staleSection(db: Db, staleDays = STALE_DAYS): BriefingSection {
  return {
    key: 'stale-projects',
    async gather(request) {
      const before = new Date(request.now.getTime() - staleDays * 86_400_000);
      const projects = await db
        .selectFrom('projects')
        .select(['name', 'last_reviewed'])
        .where('status', '=', 'active')
        .where((eb) => eb.or([eb('last_reviewed', 'is', null), eb('last_reviewed', '<', before)]))
        .where('created_at', '<', before)
        .orderBy('name')
        .limit(15)
        .execute();
      const cards = await db.selectFrom('tasks').select(['title']).where('done', '=', false).where('deleted_at', 'is', null).where('updated_at', '<', before).orderBy('updated_at').limit(10).execute();
      return {
        connected: true,
        title: `Stale (no review or change in ${staleDays} days)`,
        lines: [
          ...projects.map((row) => `Project ${row.name}: ${row.last_reviewed ? `last reviewed ${formatLocal(new Date(row.last_reviewed), request.timeZone)}` : 'never reviewed'}`),
          ...cards.map((row) => `Card untouched: ${row.title}`),
        ],
      };
    },
  };
}

/** goals: the Goals part of personal/about-me.md, and memories that mention a goal. */
export function goalsSection(db: Db, aboutMeFile: string): BriefingSection {
  return {
    key: 'goals',
    async gather(request) {
      let fromFile: string[] = [];
      try {
        const text = (await fs.promises.readFile(aboutMeFile, 'utf8')).replace(/<!--[\s\S]*?-->/g, '');
        const match = /^##\s+Goals\s*$([\s\S]*?)(?=^##\s|$(?![\s\S]))/m.exec(text);
        fromFile = (match?.[1] ?? '')
          .split('\n')
          .map((line) => line.replace(/^\s*[-*]\s*/, '').trim())
          .filter((line) => line !== '' && !line.includes('<'));
      } catch {
        // No about-me.md: goals come from memories only.
      }
      const memories = await db
        .selectFrom('memories')
        .select(['text'])
        .where(sql<boolean>`lower(text) like '%goal%'`)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', request.now)]))
        .limit(10)
        .execute();
      return { connected: true, title: 'Goals', lines: [...fromFile, ...memories.map((row) => row.text)] };
    },
  };
}

/** reminders: what is due in the period. */
export function remindersSection(db: Db): BriefingSection {
  return {
    key: 'reminders',
    async gather(request) {
      const rows = await db.selectFrom('reminders').select(['text', 'due_at']).where('status', '=', 'active').where('due_at', '<', periodEnd(request)).orderBy('due_at').limit(15).execute();
      return { connected: true, title: 'Reminders', lines: rows.map((row) => `${formatLocal(new Date(row.due_at), request.timeZone)}: ${row.text}`) };
    },
  };
}
