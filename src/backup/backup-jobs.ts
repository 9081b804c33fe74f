import type { Logger } from '../log/index.js';
import type { OwnerMessenger } from '../messenger/index.js';
import type { ScheduledJob } from '../routines/contracts.js';
import { newestArchive } from './backup-archives.js';
import type { BackupOutcome } from './backup-runner.js';

/** Older than this, the newest backup earns the owner one line. */
export const STALE_AFTER_MS = 36 * 3_600_000;

/** The nightly backup: runs the script; a failure is one line to the owner and a failed run. */
export function nightlyBackupJob(options: {
  cron: string;
  backup: () => Promise<BackupOutcome>;
  messenger: OwnerMessenger;
  log: Logger;
}): ScheduledJob {
  return {
    name: 'backup',
    schedule: { cron: options.cron },
    pausable: false,
    run: async ({ slot }) => {
      const outcome = await options.backup();
      if (outcome.ok) {
        options.log.info({ archive: outcome.archive }, 'nightly backup written');
        return;
      }
      options.log.error({ reason: outcome.reason }, 'nightly backup failed');
      await options.messenger.send(
        { text: `⚠️ Tonight's backup failed: ${oneLine(outcome.reason)}. Run scripts/backup.sh over ssh for the details.` },
        { scope: `backup:failed:${slot.toISOString()}`, urgent: true },
      );
      throw new Error(`backup failed: ${outcome.reason}`);
    },
  };
}

/**
 * Hourly: when the newest archive is older than 36 h (or there is none), one line to
 * the owner, once per newest archive; a fresh backup clears it.
 */
export function backupAgeJob(options: { dir: string; messenger: OwnerMessenger; log: Logger; startedAt?: Date }): ScheduledJob {
  const warned = new Set<string>();
  // With no archive yet, the clock starts when this daemon did: a fresh install is not nagged
  // before its first nightly backup had a chance to run.
  const startedAt = options.startedAt ?? new Date();
  return {
    name: 'backup-age',
    schedule: { everyMinutes: 60 },
    pausable: false,
    run: async ({ now }) => {
      const newest = newestArchive(options.dir);
      const since = newest?.createdAt ?? startedAt;
      if (now.getTime() - since.getTime() <= STALE_AFTER_MS) return;
      const key = newest?.name ?? 'none';
      if (warned.has(key)) return;
      const text = newest
        ? `⚠️ The newest backup is ${Math.floor((now.getTime() - newest.createdAt.getTime()) / 3_600_000)} h old (${newest.name}). Check the nightly backup: run scripts/backup.sh over ssh.`
        : `⚠️ There is no backup in ${options.dir} yet. Run scripts/backup.sh over ssh, or keep BACKUP_SCHEDULE on.`;
      const delivery = await options.messenger.send({ text }, { scope: `backup:stale:${key}`, urgent: false });
      if (delivery) warned.add(key);
      options.log.warn({ newest: newest?.name }, 'backups are stale');
    },
  };
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 199)}…` : flat;
}
