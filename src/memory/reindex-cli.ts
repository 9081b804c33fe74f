import dotenv from 'dotenv';
import { pino } from 'pino';
import { loadConfig } from '../config/index.js';
import { migrateToLatest, openDatabase } from '../db/index.js';
import { createLogger } from '../log/index.js';
import { buildMemoryService } from './build-memory-service.js';

/**
 * `npm run reindex`: rebuilds the memory vector index from the database with the configured
 * embedding model (after changing EMBEDDING_MODEL, restoring a backup, or losing Qdrant's volume).
 * A composition root of its own: reads the same config as the daemon. With the embedded database
 * (PGlite) the daemon must be stopped first; its data folder is locked while it runs.
 */
async function reindexMain(): Promise<number> {
  dotenv.config({ quiet: true });
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`reindex cannot start; fix these settings:\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 78;
  }
  const { config } = loaded;
  const log = createLogger({ level: config.logLevel, secrets: config.secrets, destination: pino.destination(2) });
  const database = await openDatabase(config.database, log.child({ part: 'db' }));
  try {
    const migrated = await migrateToLatest(database.db);
    if (!migrated.ok) throw new Error(`database migration ${migrated.failed ?? '(unknown)'} failed: ${migrated.reason}`);
    const built = buildMemoryService(config, database.db, log.child({ part: 'memory' }));
    try {
      const { indexed, reembedded, store } = await built.service.reindex();
      const where = store === 'qdrant' ? `Qdrant collection ${config.qdrant?.collection ?? ''}` : 'the embedded index (a running daemon picks it up at its next start)';
      process.stdout.write(`Reindexed ${indexed} memories into ${where}; ${reembedded} re-embedded with ${config.embedding.model}.\n`);
      return 0;
    } finally {
      await built.service.stop();
      await built.dispose();
    }
  } finally {
    await database.close();
  }
}

reindexMain().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`reindex failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
