export { createBackupFeature } from './backup-feature.js';
export { newestArchive, type ArchiveInfo } from './backup-archives.js';
export { parseBackupSchedule } from './backup-schedule.js';
export { backupAgeJob, nightlyBackupJob, STALE_AFTER_MS } from './backup-jobs.js';
export { runBackupScript, type BackupOutcome } from './backup-runner.js';
