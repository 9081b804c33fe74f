import type { Feature, FeatureDeps } from '../app/index.js';
import { newestArchive } from './backup-archives.js';
import { backupAgeJob, nightlyBackupJob } from './backup-jobs.js';
import { runBackupScript } from './backup-runner.js';
import { startBackupSocket, type BackupSocket } from './backup-socket.js';
import { takeEmbeddedSnapshot } from './embedded-snapshot.js';

/**
 * Backups while Z runs: the snapshot socket for the embedded database, the nightly
 * backup job (BACKUP_SCHEDULE) and the hourly check that backups are fresh.
 */
export function createBackupFeature(deps: FeatureDeps): Feature {
  const log = deps.log.child({ part: 'backup' });
  const { backup } = deps.config;
  let socket: BackupSocket | undefined;
  const jobs = [backupAgeJob({ dir: backup.dir, messenger: deps.messenger, log })];
  if (backup.schedule !== 'off') {
    jobs.unshift(nightlyBackupJob({ cron: backup.schedule.cron, backup: () => runBackupScript({ dir: backup.dir }), messenger: deps.messenger, log }));
  }
  return {
    name: 'backup',
    jobs,
    statusLines: async () => {
      const newest = newestArchive(backup.dir);
      if (!newest) return ['💾 Backups: none yet'];
      const hours = Math.max(0, Math.floor((Date.now() - newest.createdAt.getTime()) / 3_600_000));
      return [`💾 Last backup: ${hours} h ago, ${newest.encrypted ? 'encrypted' : 'NOT encrypted'}`];
    },
    start: async () => {
      const dump = deps.dumpEmbeddedDataDir;
      if (deps.databaseKind !== 'embedded' || !dump) return;
      socket = await startBackupSocket({ dataDir: deps.config.dataDir, snapshot: () => takeEmbeddedSnapshot(deps.db, dump), log });
      log.debug({ socket: socket.path }, 'backup socket listening');
    },
    stop: async () => {
      await socket?.close();
      socket = undefined;
    },
  };
}
