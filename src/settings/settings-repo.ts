import type { DbOrTx } from '../db/index.js';

/** Reads one named setting; `undefined` when it was never written. */
export async function getSetting(db: DbOrTx, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

export async function setSetting(db: DbOrTx, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: new Date() }))
    .execute();
}

export async function deleteSetting(db: DbOrTx, key: string): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', key).execute();
}
