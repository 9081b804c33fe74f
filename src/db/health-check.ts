import type { Db } from './database.js';

/** True when the database answers a trivial query; never throws (for /health). */
export async function databaseAnswers(db: Db): Promise<boolean> {
  return db
    .selectFrom('settings')
    .select('key')
    .limit(1)
    .execute()
    .then(() => true)
    .catch(() => false);
}
