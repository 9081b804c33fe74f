import type { DbOrTx } from '../db/index.js';
import { deleteSetting, getSetting } from '../settings/index.js';

const REVOKED_KEY = 'google.auth_revoked_at';

/**
 * Records that Google refused our tokens. Returns true only for the first report since the
 * last (re)connect, so the owner is alerted once, however many polls fail afterwards.
 */
export async function markGoogleRevoked(db: DbOrTx, at: Date): Promise<boolean> {
  const inserted = await db.insertInto('settings').values({ key: REVOKED_KEY, value: at.toISOString() }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function googleRevokedAt(db: DbOrTx): Promise<Date | undefined> {
  const value = await getSetting(db, REVOKED_KEY);
  return value ? new Date(value) : undefined;
}

/** After a successful (re)connect. */
export async function clearGoogleRevoked(db: DbOrTx): Promise<void> {
  await deleteSetting(db, REVOKED_KEY);
}
