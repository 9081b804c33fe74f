import { sql, type Kysely } from 'kysely';
import { countRows, type RowCounts } from './row-counts.js';

export interface EmbeddedSnapshot {
  /** PGlite's gzipped tarball of its data folder (entries under `pglite/`). */
  tarball: Uint8Array;
  counts: RowCounts;
}

/**
 * A consistent copy of the embedded database while the daemon keeps running.
 * It holds the one Kysely connection for the whole time, so no transaction of the
 * daemon's is open and no statement runs between the counts, the checkpoint and
 * the dump: the tarball and the counts describe the same moment.
 */
export async function takeEmbeddedSnapshot<DB>(db: Kysely<DB>, dumpDataDir: () => Promise<Uint8Array>): Promise<EmbeddedSnapshot> {
  return db.connection().execute(async (connection) => {
    const counts = await countRows(connection);
    await sql`checkpoint`.execute(connection);
    const tarball = await dumpDataDir();
    return { tarball, counts };
  });
}
