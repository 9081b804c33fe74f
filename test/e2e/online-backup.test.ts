import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { openDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { countRows } from '../../src/backup/row-counts.js';

const repo = path.resolve(import.meta.dirname, '../..');
const OWNER = { id: 4242, first_name: 'Olive', username: 'olive' };
const hasGpg = spawnSync('gpg', ['--version']).status === 0;
const hasPgTools = ['pg_dump', 'pg_restore', 'psql'].every((tool) => spawnSync(tool, ['--version']).status === 0);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script without blocking the event loop: the fake Telegram keeps serving the daemon meanwhile. */
function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn('bash', [path.join(repo, 'scripts', script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function countsIn(archive: string, env: Record<string, string>): Record<string, number> {
  const plain = spawnSync('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase-file', env.BACKUP_PASSPHRASE_FILE ?? '', '--decrypt', archive], { env, maxBuffer: 1 << 30 });
  expect(plain.status).toBe(0);
  const tsv = spawnSync('tar', ['-xzO', 'counts.tsv'], { input: plain.stdout, encoding: 'utf8', maxBuffer: 1 << 30 });
  expect(tsv.status).toBe(0);
  return Object.fromEntries(tsv.stdout.trim().split('\n').map((line) => [line.split('\t')[0] ?? '', Number(line.split('\t')[1])]));
}

describe.runIf(hasGpg)('online backup while the daemon runs and writes', () => {
  describe.each(databaseKinds().filter((kind) => kind === 'pglite' || hasPgTools))('on %s', (kind) => {
    let telegram: FakeTelegram;
    let database: TestDatabase;
    let daemon: DaemonProcess | undefined;
    let root: string;
    let env: Record<string, string>;

    beforeEach(async () => {
      telegram = await startFakeTelegram();
      database = await createTestDatabase(kind);
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-online-backup-'));
      fs.mkdirSync(path.join(root, 'personal'));
      fs.writeFileSync(path.join(root, 'personal/about-me.md'), '# About me\n');
      fs.writeFileSync(path.join(root, 'passphrase'), 'correct horse battery staple\n');
      fs.mkdirSync(path.join(root, 'gnupg'), { mode: 0o700 });
      env = {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: root,
        GNUPGHOME: path.join(root, 'gnupg'),
        OPENZERO_ROOT: root,
        HEALTH_PORT: '1',
        BACKUP_DIR: path.join(root, 'backups'),
        BACKUP_PASSPHRASE_FILE: path.join(root, 'passphrase'),
        ...database.env,
      };
    });

    afterEach(async () => {
      if (daemon) await stopDaemon(daemon);
      daemon = undefined;
      await telegram.close();
      await database.drop();
      fs.rmSync(root, { recursive: true, force: true });
    });

    it('backs up, verifies in scratch space and restores, with nothing to stop and no plaintext left', async () => {
      daemon = startDaemon(baseEnv({ ...telegramEnv(telegram, OWNER.id), ...env, BACKUP_SCHEDULE: 'off' }));
      await waitUntilReady(daemon, 90_000);

      // The owner keeps writing (every message is an inbox row and a reply) for the whole backup.
      let writing = true;
      let sent = 0;
      const writer = (async () => {
        while (writing) {
          telegram.sendText(OWNER, '/start');
          sent += 1;
          await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= sent, 60_000);
        }
      })();
      // A failed assertion below must not leave the writer waiting on a stopped daemon.
      onTestFinished(async () => {
        writing = false;
        await writer.catch(() => undefined);
      });
      await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 3, 60_000);

      const backup = await run('backup.sh', [], env);
      expect(backup.stderr).toBe('');
      expect(backup.status).toBe(0);
      const archive = /wrote (\S+)/.exec(backup.stdout)?.[1] ?? '';
      expect(archive).toMatch(/\.tar\.gz\.gpg$/);
      const sentAtBackup = sent;
      await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= sentAtBackup + 3, 60_000);

      // Nothing readable is left beside the archive; the embedded dump came over the socket, not a copy.
      expect(fs.readdirSync(env.BACKUP_DIR ?? '')).toEqual([path.basename(archive)]);
      expect(spawnSync('tar', ['-tzf', archive]).status).not.toBe(0);
      const counts = countsIn(archive, env);
      expect(counts.inbox).toBeGreaterThanOrEqual(3);
      expect(counts.kysely_migration).toBeGreaterThan(0);

      const verify = await run('restore.sh', ['--verify', archive], env);
      expect(verify.stderr).toBe('');
      expect(verify.status).toBe(0);
      expect(verify.stdout).toContain('verify ok');
      expect(verify.stdout).toContain('live data untouched');

      writing = false;
      await writer;
      // Verify touched nothing live: the daemon still answers, and has more rows than the archive.
      telegram.sendText(OWNER, '/status');
      await telegram.waitFor((fake) => fake.botMessages(OWNER.id).some((message) => (message.text ?? '').includes('Database:')), 60_000);
      await stopDaemon(daemon);
      daemon = undefined;

      const live = await openDatabase(database.settings, silentLogger());
      const before = await countRows(live.db);
      await live.close();
      expect(before.inbox).toBeGreaterThan(counts.inbox ?? 0);

      const restore = await run('restore.sh', ['--no-files', archive], env);
      expect(restore.stderr).toBe('');
      expect(restore.status).toBe(0);
      const restored = await openDatabase(database.settings, silentLogger());
      const after = await countRows(restored.db);
      await restored.close();
      expect(after).toEqual(counts);

      // A tampered count is caught.
      const tampered = path.join(root, 'tampered');
      fs.mkdirSync(tampered);
      const plain = spawnSync('gpg', ['--batch', '--quiet', '--pinentry-mode', 'loopback', '--passphrase-file', env.BACKUP_PASSPHRASE_FILE ?? '', '--decrypt', '--output', path.join(tampered, 'a.tar.gz'), archive], { env });
      expect(plain.status).toBe(0);
      expect(spawnSync('tar', ['-xzf', 'a.tar.gz'], { cwd: tampered }).status).toBe(0);
      fs.writeFileSync(path.join(tampered, 'counts.tsv'), fs.readFileSync(path.join(tampered, 'counts.tsv'), 'utf8').replace(/^inbox\t(\d+)$/m, (_, n: string) => `inbox\t${Number(n) + 1}`));
      const entries = fs.readdirSync(tampered).filter((name) => name !== 'a.tar.gz');
      expect(spawnSync('tar', ['-czf', path.join(root, 'openzero-tampered.tar.gz'), ...entries], { cwd: tampered }).status).toBe(0);
      const caught = await run('restore.sh', ['--verify', path.join(root, 'openzero-tampered.tar.gz')], env);
      expect(caught.status).not.toBe(0);
      expect(caught.stderr).toContain('row counts differ');
    }, 240_000);
  });
});
