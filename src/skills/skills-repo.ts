import type { DbOrTx } from '../db/index.js';

export interface Skill {
  name: string;
  description: string;
  /** The procedure, in Markdown: which tools to use, in what order, what to report. */
  body: string;
  /** A cron expression in the owner's time zone, or null: run by name only. */
  schedule: string | null;
  /** Who wrote it: `Z`, an agent's name, or `owner`. */
  author: string;
  updatedAt: Date;
}

export async function listSkills(db: DbOrTx): Promise<Skill[]> {
  const rows = await db.selectFrom('skills').selectAll().orderBy('name').execute();
  return rows.map(toSkill);
}

export async function getSkill(db: DbOrTx, name: string): Promise<Skill | undefined> {
  const row = await db.selectFrom('skills').selectAll().where('name', '=', name).executeTakeFirst();
  return row ? toSkill(row) : undefined;
}

/** Creates or replaces a skill; returns the version it replaced, if any. */
export async function saveSkill(db: DbOrTx, skill: Omit<Skill, 'updatedAt'>, now: Date): Promise<Skill | undefined> {
  const previous = await getSkill(db, skill.name);
  const values = { description: skill.description, body: skill.body, schedule: skill.schedule, author: skill.author, updated_at: now };
  await db
    .insertInto('skills')
    .values({ name: skill.name, ...values, created_at: now })
    .onConflict((oc) => oc.column('name').doUpdateSet(values))
    .execute();
  return previous;
}

export async function deleteSkill(db: DbOrTx, name: string): Promise<boolean> {
  const deleted = await db.deleteFrom('skills').where('name', '=', name).executeTakeFirst();
  return Number(deleted.numDeletedRows) > 0;
}

function toSkill(row: { name: string; description: string; body: string; schedule: string | null; author: string; updated_at: Date }): Skill {
  return { name: row.name, description: row.description, body: row.body, schedule: row.schedule, author: row.author, updatedAt: row.updated_at };
}
