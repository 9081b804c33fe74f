import { sql } from 'kysely';
import type { Db, DbOrTx } from '../db/index.js';
import { getSetting, setSetting } from '../settings/index.js';
import type { EmailRule, RulePattern } from './email-rules.js';

const SEEDED_KEY = 'mail.rules_seeded';

function toRule(row: { id: number; position: number; from_pattern: string | null; subject_pattern: string | null; action: EmailRule['action'] }): EmailRule {
  return { id: row.id, position: row.position, from: row.from_pattern, subject: row.subject_pattern, action: row.action };
}

/** Active rules in the order they are tried. */
export async function listRules(db: DbOrTx): Promise<EmailRule[]> {
  const rows = await db
    .selectFrom('email_rules')
    .select(['id', 'position', 'from_pattern', 'subject_pattern', 'action'])
    .where('deleted_at', 'is', null)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return rows.map(toRule);
}

export async function findRule(db: DbOrTx, id: number): Promise<(EmailRule & { deleted: boolean }) | undefined> {
  const row = await db.selectFrom('email_rules').select(['id', 'position', 'from_pattern', 'subject_pattern', 'action', 'deleted_at']).where('id', '=', id).executeTakeFirst();
  return row ? { ...toRule(row), deleted: row.deleted_at !== null } : undefined;
}

/**
 * Seeds the table from personal/requirements.md once (the first start that finds the file);
 * after that the table is the truth and the owner manages rules in chat.
 */
export async function seedRulesOnce(db: Db, rules: readonly RulePattern[]): Promise<number> {
  return db.transaction().execute(async (trx) => {
    if ((await getSetting(trx, SEEDED_KEY)) !== undefined) return 0;
    for (const [index, rule] of rules.entries()) {
      await trx.insertInto('email_rules').values({ position: (index + 1) * 10, from_pattern: rule.from, subject_pattern: rule.subject, action: rule.action, origin: 'file' }).execute();
    }
    await setSetting(trx, SEEDED_KEY, new Date().toISOString());
    return rules.length;
  });
}

/** Adds a rule at the end (tried last) or before rule `beforeId`. */
export async function addRule(db: DbOrTx, rule: RulePattern, at: { first?: boolean } = {}): Promise<EmailRule> {
  const edge = await db
    .selectFrom('email_rules')
    .select([sql<number | null>`max(position)`.as('max'), sql<number | null>`min(position)`.as('min')])
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  const position = at.first ? (edge?.min ?? 10) - 10 : (edge?.max ?? 0) + 10;
  const row = await db
    .insertInto('email_rules')
    .values({ position, from_pattern: rule.from, subject_pattern: rule.subject, action: rule.action, origin: 'chat' })
    .returning(['id', 'position', 'from_pattern', 'subject_pattern', 'action'])
    .executeTakeFirstOrThrow();
  return toRule(row);
}

export async function updateRule(db: DbOrTx, id: number, rule: RulePattern): Promise<void> {
  await db.updateTable('email_rules').set({ from_pattern: rule.from, subject_pattern: rule.subject, action: rule.action }).where('id', '=', id).execute();
}

/** Soft delete: Undo restores the rule in its old place. Returns false when it was not active. */
export async function removeRule(db: DbOrTx, id: number, at: Date): Promise<boolean> {
  const result = await db.updateTable('email_rules').set({ deleted_at: at }).where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function restoreRule(db: DbOrTx, id: number): Promise<boolean> {
  const result = await db.updateTable('email_rules').set({ deleted_at: null }).where('id', '=', id).where('deleted_at', 'is not', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
