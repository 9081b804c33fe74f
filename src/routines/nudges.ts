import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { OwnerMessenger } from '../messenger/index.js';
import { formatLocal, localDateKey } from '../time/index.js';
import type { BriefingSection } from './contracts.js';

/** How many cards one pass looks at (the oldest first): a nudge is a prod, not a report. */
const MAX_CARDS = 20;

export interface NudgeOptions {
  db: Db;
  messenger: OwnerMessenger;
  now: Date;
  timeZone: string;
  /** Days without a change before an open card counts as stale. */
  staleDays: number;
  log?: Logger;
}

interface Candidate {
  subject: string;
  text: string;
  urgent: boolean;
}

/**
 * Open cards that need a nudge now: overdue ones, and ones untouched for `staleDays`.
 * A card whose due time passed today (local) is urgent: waiting for tomorrow's briefing
 * would be too late. One overdue since an earlier day, or merely stale, is not.
 */
async function candidates(options: NudgeOptions): Promise<Candidate[]> {
  const { db, now, timeZone, staleDays } = options;
  const today = localDateKey(now, timeZone);
  const staleBefore = new Date(now.getTime() - staleDays * 86_400_000);
  const rows = await db
    .selectFrom('tasks')
    .select(['id', 'title', 'due_at', 'updated_at'])
    .where('done', '=', false)
    .where('deleted_at', 'is', null)
    .where((eb) => eb.or([eb('due_at', '<', now), eb('updated_at', '<', staleBefore)]))
    .orderBy('id')
    .limit(MAX_CARDS)
    .execute();
  return rows.map((row) => {
    const due = row.due_at ? new Date(row.due_at) : undefined;
    if (due && due.getTime() < now.getTime()) {
      return {
        subject: `card:${row.id}`,
        text: `"${row.title}" is overdue (was due ${formatLocal(due, timeZone)}).`,
        urgent: localDateKey(due, timeZone) === today,
      };
    }
    return { subject: `card:${row.id}`, text: `"${row.title}" has not moved in ${staleDays} days.`, urgent: false };
  });
}

/** The idempotency scope of a card's nudge on a local day (kind `nudge` for quiet hours). */
export function nudgeScope(subject: string, day: string): string {
  return `nudge:${subject}:${day}`;
}

/**
 * Records at most one nudge per card and local day (the `nudges` table's key), so a
 * restart or a second check never nudges twice the same day. Urgent nudges go out at
 * once, each under its own scope (a crash between record and send resends nothing: the
 * next pass sends the still-unfolded row under the same scope); the others wait for the
 * next briefing (`nudgesSection`). Returns how many urgent nudges were delivered.
 */
export async function nudgeCards(options: NudgeOptions): Promise<number> {
  const { db, messenger, now, timeZone, log } = options;
  const day = localDateKey(now, timeZone);
  const found = await candidates(options);
  if (found.length === 0) return 0;
  await db
    .insertInto('nudges')
    .values(found.map((candidate) => ({ subject: candidate.subject, day, text: candidate.text, created_at: now })))
    .onConflict((oc) => oc.columns(['subject', 'day']).doNothing())
    .execute();
  const open = await db.selectFrom('nudges').select(['subject', 'text']).where('day', '=', day).where('folded', '=', false).execute();
  const urgent = new Map(found.filter((candidate) => candidate.urgent).map((candidate) => [candidate.subject, candidate.text]));
  let sent = 0;
  for (const nudge of open) {
    const text = urgent.get(nudge.subject);
    if (text === undefined) continue;
    const delivery = await messenger.send({ text: `⏰ ${text}` }, { scope: nudgeScope(nudge.subject, day) });
    if (!delivery) return sent; // no owner chat yet: the briefing carries it instead
    await db.updateTable('nudges').set({ folded: true }).where('subject', '=', nudge.subject).where('day', '=', day).execute();
    sent += 1;
  }
  if (sent > 0) log?.info({ nudges: sent }, 'urgent card nudges sent');
  return sent;
}

/**
 * The nudges not yet told, folded into the next briefing whatever its `includes:`.
 * One line per card (its newest nudge); once the briefing went out they are marked folded.
 */
export function nudgesSection(db: Db): BriefingSection {
  return {
    key: 'nudges',
    async gather(request) {
      const rows = await db
        .selectFrom('nudges')
        .select(['subject', 'day', 'text'])
        .where('folded', '=', false)
        .where('created_at', '<=', request.now)
        .orderBy('day', 'desc')
        .orderBy('subject')
        .execute();
      const newest = new Map<string, string>();
      for (const row of rows) if (!newest.has(row.subject)) newest.set(row.subject, row.text);
      return { connected: true, title: 'Cards that need a nudge', lines: [...newest.values()] };
    },
    async delivered(request) {
      await db.updateTable('nudges').set({ folded: true }).where('folded', '=', false).where('created_at', '<=', request.now).execute();
    },
  };
}
