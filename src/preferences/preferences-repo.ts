import type { DbOrTx } from '../db/index.js';

export interface Preference {
  key: string;
  value: string;
  updatedAt: Date;
}

export async function listPreferences(db: DbOrTx): Promise<Preference[]> {
  const rows = await db.selectFrom('preferences').select(['key', 'value', 'updated_at']).orderBy('key').execute();
  return rows.map((row) => ({ key: row.key, value: row.value, updatedAt: row.updated_at }));
}

export async function getPreference(db: DbOrTx, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('preferences').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

/** Sets a preference; returns the previous value so callers can offer an undo. */
export async function setPreference(db: DbOrTx, key: string, value: string): Promise<string | undefined> {
  const previous = await getPreference(db, key);
  await db
    .insertInto('preferences')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
    .execute();
  return previous;
}

export async function deletePreference(db: DbOrTx, key: string): Promise<boolean> {
  const result = await db.deleteFrom('preferences').where('key', '=', key).executeTakeFirst();
  return (result.numDeletedRows ?? 0n) > 0n;
}
