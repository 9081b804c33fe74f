export type { Database, Db, DbOrTx } from './database.js';
export { openDatabase, DatabaseOpenError, redactUrl, type OpenDatabase, type DatabaseKind, type ProgressReporter } from './open-database.js';
export { migrateToLatest, appliedMigrations, type MigrateOutcome } from './migrate.js';
export { acquirePidLock, isProcessAlive } from './pid-lock.js';
export { databaseAnswers } from './health-check.js';
