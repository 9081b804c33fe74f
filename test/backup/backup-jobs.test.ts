import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { backupAgeJob, nightlyBackupJob, parseBackupSchedule, type BackupOutcome } from '../../src/backup/index.js';
import { loadConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import type { OwnerMessage, OwnerMessenger, SendOptions } from '../../src/messenger/index.js';

function recordingMessenger(): OwnerMessenger & { sent: { message: OwnerMessage; options: SendOptions | undefined }[] } {
  const sent: { message: OwnerMessage; options: SendOptions | undefined }[] = [];
  return {
    sent,
    send: async (message, options) => {
      sent.push({ message, options });
      return { messageIds: [sent.length] };
    },
  };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-backup-jobs-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

// The clock is injected (run's `now`) and archive times are set relative to it: any date works.
const now = new Date();
function archiveAged(name: string, hours: number): void {
  const file = path.join(dir, name);
  fs.writeFileSync(file, 'x');
  const at = new Date(now.getTime() - hours * 3_600_000);
  fs.utimesSync(file, at, at);
}

describe('the nightly backup job', () => {
  it('says nothing when the backup is written', async () => {
    const messenger = recordingMessenger();
    const job = nightlyBackupJob({ cron: '0 3 * * *', backup: async () => ({ ok: true, archive: '/b/openzero-x.tar.gz.gpg' }), messenger, log: silentLogger() });
    expect(job.schedule).toEqual({ cron: '0 3 * * *' });
    await job.run({ now, slot: now });
    expect(messenger.sent).toEqual([]);
  });

  it('tells the owner in one line when it fails, and fails the run', async () => {
    const messenger = recordingMessenger();
    const outcome: BackupOutcome = { ok: false, reason: 'pg_dump failed; is PostgreSQL running\nand DATABASE_URL right?' };
    const job = nightlyBackupJob({ cron: '0 3 * * *', backup: async () => outcome, messenger, log: silentLogger() });
    await expect(job.run({ now, slot: now })).rejects.toThrow('backup failed');
    expect(messenger.sent).toHaveLength(1);
    const text = messenger.sent[0]?.message.text ?? '';
    expect(text).not.toContain('\n');
    expect(text).toContain('pg_dump failed; is PostgreSQL running and DATABASE_URL right?');
    expect(messenger.sent[0]?.options?.scope).toBe(`backup:failed:${now.toISOString()}`);
  });
});

describe('the backup age check', () => {
  it('is quiet while the newest archive is at most 36 h old', async () => {
    archiveAged('openzero-old.tar.gz.gpg', 80);
    archiveAged('openzero-new.tar.gz.gpg', 35);
    const messenger = recordingMessenger();
    await backupAgeJob({ dir, messenger, log: silentLogger() }).run({ now, slot: now });
    expect(messenger.sent).toEqual([]);
  });

  it('sends one line once when the newest is older than 36 h, and again only for a newer stale one', async () => {
    archiveAged('openzero-a.tar.gz', 40);
    archiveAged('notes.txt', 1);
    const messenger = recordingMessenger();
    const job = backupAgeJob({ dir, messenger, log: silentLogger() });
    await job.run({ now, slot: now });
    await job.run({ now, slot: now });
    expect(messenger.sent).toHaveLength(1);
    expect(messenger.sent[0]?.message.text).toMatch(/newest backup is 40 h old \(openzero-a\.tar\.gz\)/);
    archiveAged('openzero-b.tar.gz.age', 37);
    await job.run({ now, slot: now });
    expect(messenger.sent).toHaveLength(2);
    expect(messenger.sent[1]?.options?.scope).toBe('backup:stale:openzero-b.tar.gz.age');
  });

  it('says so when there is still no backup 36 h after the daemon started, and not before', async () => {
    const messenger = recordingMessenger();
    const fresh = backupAgeJob({ dir: path.join(dir, 'missing'), messenger, log: silentLogger(), startedAt: new Date(now.getTime() - 2 * 3_600_000) });
    await fresh.run({ now, slot: now });
    expect(messenger.sent).toEqual([]);
    const old = backupAgeJob({ dir: path.join(dir, 'missing'), messenger, log: silentLogger(), startedAt: new Date(now.getTime() - 37 * 3_600_000) });
    await old.run({ now, slot: now });
    expect(messenger.sent[0]?.message.text).toContain('no backup');
  });
});

describe('BACKUP_SCHEDULE', () => {
  it('reads a time of day, a cron expression or off; 03:00 by default', () => {
    expect(parseBackupSchedule('03:00')).toEqual({ cron: '0 3 * * *' });
    expect(parseBackupSchedule('23:45')).toEqual({ cron: '45 23 * * *' });
    expect(parseBackupSchedule('30 2 * * 1-5')).toEqual({ cron: '30 2 * * 1-5' });
    expect(parseBackupSchedule('OFF')).toBe('off');
    const defaults = loadConfig({});
    expect(defaults.ok && defaults.config.backup.schedule).toEqual({ cron: '0 3 * * *' });
    const bad = loadConfig({ BACKUP_SCHEDULE: '25:00', BACKUP_KEEP: '0' });
    expect(bad.ok ? [] : bad.problems).toEqual([expect.stringMatching(/^BACKUP_SCHEDULE: expected off/), expect.stringMatching(/^BACKUP_KEEP: /)]);
  });
});
