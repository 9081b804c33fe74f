import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { OwnerButton, OwnerMessenger } from '../messenger/index.js';
import { addDays, formatLocal, instantOf, wallAt, type Clock } from '../time/index.js';
import { describeRepeat, nextOccurrence, type RepeatRule } from './reminder-time.js';

export interface Reminder {
  id: number;
  text: string;
  due: Date;
  repeat: RepeatRule | null;
  timeZone: string;
}

export interface ReminderServiceDeps {
  db: Db;
  messenger: OwnerMessenger;
  clock: Clock;
  log: Logger;
}

/** A reminder that fires more than this after its time was missed (daemon down, paused) and is marked late. */
const LATE_AFTER_MS = 3 * 60_000;

/** Button actions: done, snooze 20 min, snooze 1 h, tomorrow. */
export type ReminderAction = 'd' | 's20' | 's60' | 't';
export const REMINDER_CALLBACK = /^rm:(d|s20|s60|t):(\d{1,9}):([0-9a-z]{1,12})$/;
export const REMINDER_DELETE_CALLBACK = /^rm:x:(\d{1,9})$/;

/** The delete button of a pending reminder (`/reminders`, `/routines`); the reminders feature handles the tap. */
export function reminderDeleteButton(reminder: Pick<Reminder, 'id' | 'text'>): OwnerButton {
  return { text: `🗑 #${reminder.id} ${reminder.text.slice(0, 40)}`, data: `rm:x:${reminder.id}` };
}

/** Pending reminders, soonest first. */
export async function pendingReminders(db: Db): Promise<Reminder[]> {
  const rows = await db.selectFrom('reminders').selectAll().where('status', '=', 'active').orderBy('due_at').orderBy('id').execute();
  return rows.map(toReminder);
}

/** The idempotency scope of one firing: a reminder at one due time is sent at most once. */
export function firingScope(id: number, due: Date): string {
  return `reminder:${id}:${due.toISOString()}`;
}

/**
 * Reminders made in chat: stored, fired once per due time through the durable messenger,
 * rescheduled (repeating) or closed (one-off), and acted on from their buttons.
 */
export class ReminderService {
  constructor(private readonly deps: ReminderServiceDeps) {}

  /** Stores a reminder; the same key again returns the first one (a replayed tool call). */
  async create(input: { key: string; text: string; due: Date; repeat: RepeatRule | null; timeZone: string }): Promise<Reminder> {
    const now = this.deps.clock();
    await this.deps.db
      .insertInto('reminders')
      .values({ idempotency_key: input.key, text: input.text, due_at: input.due, repeat: input.repeat ? JSON.stringify(input.repeat) : null, time_zone: input.timeZone, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
    const row = await this.deps.db.selectFrom('reminders').selectAll().where('idempotency_key', '=', input.key).executeTakeFirstOrThrow();
    return toReminder(row);
  }

  async get(id: number): Promise<(Reminder & { status: string }) | undefined> {
    const row = await this.deps.db.selectFrom('reminders').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? { ...toReminder(row), status: row.status } : undefined;
  }

  /** Pending reminders, soonest first. */
  pending(): Promise<Reminder[]> {
    return pendingReminders(this.deps.db);
  }

  /** Deletes a pending reminder; false when it was not pending. */
  async remove(id: number): Promise<boolean> {
    const result = await this.deps.db.updateTable('reminders').set({ status: 'deleted', updated_at: this.deps.clock() }).where('id', '=', id).where('status', '=', 'active').executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /**
   * Sends every reminder that is due, each once per due time (the messenger's scope), then
   * moves it on: a repeating one to its next time after now, a one-off to done. A crash
   * between the two re-sends nothing: the scope was already delivered.
   */
  async fireDue(): Promise<number> {
    const now = this.deps.clock();
    const due = await this.deps.db.selectFrom('reminders').selectAll().where('status', '=', 'active').where('due_at', '<=', now).orderBy('due_at').orderBy('id').execute();
    let fired = 0;
    for (const row of due) {
      const reminder = toReminder(row);
      const late = now.getTime() - reminder.due.getTime() > LATE_AFTER_MS;
      const next = reminder.repeat ? nextOccurrence(reminder.repeat, now, reminder.timeZone) : undefined;
      const lines = [`⏰ **Reminder**: ${reminder.text || '(no text)'}`];
      if (late) lines.push(`(late: was due ${formatLocal(reminder.due, reminder.timeZone)})`);
      if (reminder.repeat && next) lines.push(`Next: ${formatLocal(next, reminder.timeZone)} (${describeRepeat(reminder.repeat)})`);
      const delivery = await this.deps.messenger.send({ text: lines.join('\n'), buttons: reminderButtons(reminder.id, reminder.due) }, { scope: firingScope(reminder.id, reminder.due) });
      if (!delivery) {
        this.deps.log.warn({ reminder: reminder.id }, 'reminder not sent: the owner chat is not known yet');
        continue;
      }
      const moved = this.deps.db.updateTable('reminders').where('id', '=', reminder.id).where('due_at', '=', reminder.due).where('status', '=', 'active');
      if (next) await moved.set({ due_at: next, updated_at: now }).execute();
      else await moved.set({ status: 'done', updated_at: now }).execute();
      this.deps.log.info({ reminder: reminder.id, late, held: delivery.held === true }, 'reminder fired');
      fired++;
    }
    return fired;
  }

  /**
   * A tap on a fired reminder's button. Only buttons we sent are honoured (the firing must be
   * on record); a snooze or "tomorrow" makes a one-off copy, once per firing, however often it is tapped.
   */
  async act(action: ReminderAction, id: number, dueToken: string): Promise<string> {
    const dueMs = Number.parseInt(dueToken, 36);
    const reminder = Number.isFinite(dueMs) ? await this.get(id) : undefined;
    const due = new Date(dueMs);
    const sent = reminder
      ? await this.deps.db.selectFrom('owner_messages').select('scope').where('scope', '=', firingScope(id, due)).executeTakeFirst()
      : undefined;
    if (!reminder || !sent) return 'That is not a reminder I sent.';
    if (action === 'd') return reminder.repeat ? `Done. Next: ${formatLocal(reminder.due, reminder.timeZone)}.` : 'Done.';
    const now = this.deps.clock();
    const until = action === 's20' ? new Date(now.getTime() + 20 * 60_000) : action === 's60' ? new Date(now.getTime() + 3_600_000) : tomorrowAtSameTime(due, now, reminder.timeZone);
    const key = `snooze:${id}:${due.toISOString()}`;
    const existing = await this.deps.db.selectFrom('reminders').select(['due_at']).where('idempotency_key', '=', key).executeTakeFirst();
    if (existing) return `Already snoozed until ${formatLocal(new Date(existing.due_at), reminder.timeZone)}.`;
    const copy = await this.create({ key, text: reminder.text, due: until, repeat: null, timeZone: reminder.timeZone });
    return `Snoozed until ${formatLocal(copy.due, reminder.timeZone)}.`;
  }
}

/** Tomorrow (in the reminder's zone) at the wall time it was due. */
function tomorrowAtSameTime(due: Date, now: Date, timeZone: string): Date {
  const at = wallAt(due, timeZone);
  const day = addDays(wallAt(now, timeZone), 1);
  return instantOf({ ...day, hour: at.hour, minute: at.minute }, timeZone);
}

export function reminderButtons(id: number, due: Date): OwnerButton[][] {
  const token = due.getTime().toString(36);
  return [
    [
      { text: 'Done', data: `rm:d:${id}:${token}` },
      { text: 'Snooze 20 min', data: `rm:s20:${id}:${token}` },
    ],
    [
      { text: 'Snooze 1h', data: `rm:s60:${id}:${token}` },
      { text: 'Tomorrow', data: `rm:t:${id}:${token}` },
    ],
  ];
}

function toReminder(row: { id: number; text: string; due_at: Date | string; repeat: string | null; time_zone: string }): Reminder {
  return { id: row.id, text: row.text, due: new Date(row.due_at), repeat: row.repeat ? (JSON.parse(row.repeat) as RepeatRule) : null, timeZone: row.time_zone };
}
