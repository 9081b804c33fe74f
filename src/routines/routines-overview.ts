import type { Buttons } from '../commands/index.js';
import type { Db } from '../db/index.js';
import { describeRepeat, pendingReminders, reminderDeleteButton } from '../reminders/index.js';
import { formatLocal } from '../time/index.js';
import type { PlanProblem, RoutinePlan } from './recurring-plans.js';
import { latestRun } from './runs-repo.js';
import { routineSchedule } from './schedule.js';

/** Reminders listed (with a delete button each) in /routines; /reminders lists them all. */
const MAX_REMINDERS = 15;

/**
 * The /routines message: every routine with its next run (owner's zone), last run and
 * status, buttons to run it now and to pause or resume it; then the pending reminders,
 * each with a delete button (tapped, the reminders feature deletes it).
 */
export async function routinesOverview(deps: {
  db: Db;
  plans: RoutinePlan[];
  problems: PlanProblem[];
  plansFile: string;
  now: Date;
  timeZone: string;
  pausedAll: boolean;
}): Promise<{ text: string; buttons: Buttons }> {
  const { db, plans, problems, now, timeZone } = deps;
  const lines: string[] = ['<b>Routines</b>'];
  const buttons: Buttons = [];
  if (deps.pausedAll) lines.push('⏸ Everything is paused (/resume).');
  for (const plan of plans) {
    const zone = plan.timeZone ?? timeZone;
    const next = plan.enabled ? routineSchedule(plan.rule, zone).next(now) : undefined;
    const last = await latestRun(db, `routine:${plan.id}`);
    const paused = (await db.selectFrom('routine_state').select('paused').where('routine', '=', `routine:${plan.id}`).executeTakeFirst())?.paused === true;
    lines.push(
      [
        `\n<b>${escape(plan.title)}</b> (${escape(plan.id)})${plan.enabled ? '' : ' — disabled in the file'}${paused ? ' — paused' : ''}`,
        `next: ${next ? formatLocal(next, timeZone) : '—'} · catch-up: ${plan.catchUp}`,
        `last: ${last ? `${formatLocal(last.slot, timeZone)}, ${last.status}${last.reason ? ` (${escape(last.reason)})` : ''}` : 'never'}`,
      ].join('\n'),
    );
    buttons.push([
      { text: `▶ ${plan.title}`, data: `rt:now:${plan.id}` },
      paused ? { text: 'Resume', data: `rt:resume:${plan.id}` } : { text: 'Pause', data: `rt:pause:${plan.id}` },
    ]);
  }
  if (plans.length === 0) lines.push(`No routines in ${escape(deps.plansFile)}.`);
  if (problems.length > 0) lines.push(`\n⚠ The file has ${problems.length} problem(s) (first: line ${problems[0]?.line}); the last good version is running.`);

  const reminders = await pendingReminders(db);
  lines.push('\n<b>Reminders</b>');
  if (reminders.length === 0) lines.push('None pending (/remind &lt;when&gt; &lt;what&gt; sets one).');
  for (const reminder of reminders.slice(0, MAX_REMINDERS)) {
    lines.push(`• #${reminder.id} ${formatLocal(reminder.due, reminder.timeZone)}${reminder.repeat ? ` (${escape(describeRepeat(reminder.repeat))})` : ''}: ${escape(reminder.text)}`);
    buttons.push([reminderDeleteButton(reminder)]);
  }
  if (reminders.length > MAX_REMINDERS) lines.push(`… and ${reminders.length - MAX_REMINDERS} more (/reminders).`);
  return { text: lines.join('\n'), buttons };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
