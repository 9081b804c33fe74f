import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const BACKUP = path.join(repo, 'scripts/backup.sh');
const RESTORE = path.join(repo, 'scripts/restore.sh');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a script with a clean environment: nothing leaks in from the developer's shell. */
function run(script: string, args: string[], env: Record<string, string>): Run {
  const result = spawnSync('bash', [script, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? os.tmpdir(), ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function archivesIn(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((name) => name.startsWith('openzero-')).sort() : [];
}

function listArchive(file: string): string[] {
  const result = spawnSync('tar', ['-tzf', file], { encoding: 'utf8' });
  expect(result.status).toBe(0);
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((entry) => entry.replace(/^\.\//, '').replace(/\/$/, ''));
}

function write(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

/** A pid that certainly belongs to no live process: a child that has already exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.once('exit', resolve));
  const pid = child.pid;
  if (pid === undefined) throw new Error('no pid');
  return pid;
}

let root: string;
let env: Record<string, string>;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-backup-'));
  write(path.join(root, 'data/pglite/PG_VERSION'), '17\n');
  write(path.join(root, 'data/pglite/base/1/1259'), 'catalog bytes');
  write(path.join(root, 'personal/about-me.md'), '# About me\nName: Ada\n');
  write(path.join(root, 'personal/requirements.md'), '# Requirements\n');
  write(path.join(root, 'agent-character.md'), '# Z\n');
  write(path.join(root, 'recurring-plans.md'), '# Plans\n');
  write(path.join(root, '.env'), 'DATA_DIR=./data   # relative to the project\nTELEGRAM_BOT_TOKEN=123:secret\n');
  // HEALTH_PORT 0: the "daemon is up" probe is skipped (a fixed port could belong to another process on a busy machine).
  env = { OPENZERO_ROOT: root, HOME: root, HEALTH_PORT: '0' };
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('backup.sh and restore.sh', () => {
  it('print their usage with -h', () => {
    for (const script of [BACKUP, RESTORE]) {
      const result = run(script, ['-h'], env);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^Usage: scripts\/(backup|restore)\.sh/);
    }
    expect(run(BACKUP, ['--nonsense'], env).status).toBe(2);
    expect(run(RESTORE, [], env).status).toBe(2);
  });

  it('back up the embedded database and personal files, without .env unless asked', () => {
    const result = run(BACKUP, [], env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const [archive] = archivesIn(path.join(root, 'backups'));
    expect(archive).toMatch(/^openzero-\d{8}T\d{6}Z\.tar\.gz$/);
    const entries = listArchive(path.join(root, 'backups', archive ?? ''));
    expect(entries).toEqual(
      expect.arrayContaining([
        'MANIFEST',
        'pglite/PG_VERSION',
        'pglite/base/1/1259',
        'files/personal/about-me.md',
        'files/personal/requirements.md',
        'files/agent-character.md',
        'files/recurring-plans.md',
      ]),
    );
    expect(entries).not.toContain('files/.env');
    expect(entries).not.toContain('database.dump');
    expect(fs.statSync(path.join(root, 'backups', archive ?? '')).mode & 0o077).toBe(0);

    expect(run(BACKUP, ['--with-env'], env).status).toBe(0);
    const withEnv = archivesIn(path.join(root, 'backups')).find((name) => name !== archive);
    expect(listArchive(path.join(root, 'backups', withEnv ?? ''))).toContain('files/.env');
  });

  it('refuses to copy the embedded database while a live daemon holds its lock, unless forced', async () => {
    write(path.join(root, 'data/pglite.lock'), String(process.pid));
    const refused = run(BACKUP, [], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`pid ${process.pid}`);
    expect(refused.stderr).toContain('Stop it first');
    expect(refused.stderr).toContain('--force');
    expect(archivesIn(path.join(root, 'backups'))).toEqual([]);

    const forced = run(BACKUP, ['--force'], env);
    expect(forced.status).toBe(0);
    expect(forced.stderr).toContain('may be inconsistent');

    // A lock left behind by a crashed daemon does not block.
    write(path.join(root, 'data/pglite.lock'), String(await deadPid()));
    expect(run(BACKUP, [], env).status).toBe(0);
    expect(archivesIn(path.join(root, 'backups'))).toHaveLength(2);
  });

  it('restores the embedded database and files, keeping what it replaced', () => {
    expect(run(BACKUP, [], env).status).toBe(0);
    const [archive] = archivesIn(path.join(root, 'backups'));
    const archivePath = path.join(root, 'backups', archive ?? '');

    write(path.join(root, 'data/pglite/PG_VERSION'), 'changed\n');
    write(path.join(root, 'data/pglite/extra'), 'new file');
    write(path.join(root, 'personal/about-me.md'), 'edited\n');

    const result = run(RESTORE, [archivePath], env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'data/pglite/PG_VERSION'), 'utf8')).toBe('17\n');
    expect(fs.existsSync(path.join(root, 'data/pglite/extra'))).toBe(false);
    expect(fs.readFileSync(path.join(root, 'personal/about-me.md'), 'utf8')).toBe('# About me\nName: Ada\n');
    expect(fs.readFileSync(path.join(root, '.env'), 'utf8')).toContain('TELEGRAM_BOT_TOKEN=123:secret');

    const keptDb = fs.readdirSync(path.join(root, 'data')).filter((name) => name.startsWith('pglite.before-restore-'));
    expect(keptDb).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, 'data', keptDb[0] ?? '', 'PG_VERSION'), 'utf8')).toBe('changed\n');
    const keptFiles = fs.readdirSync(path.join(root, 'backups')).filter((name) => name.startsWith('before-restore-'));
    expect(keptFiles).toHaveLength(1);
    expect(fs.readFileSync(path.join(root, 'backups', keptFiles[0] ?? '', 'personal/about-me.md'), 'utf8')).toBe('edited\n');
  });

  it('refuses to restore while the daemon runs (lock held, or health port answering)', async () => {
    expect(run(BACKUP, [], env).status).toBe(0);
    const archivePath = path.join(root, 'backups', archivesIn(path.join(root, 'backups'))[0] ?? '');
    write(path.join(root, 'data/pglite/PG_VERSION'), 'live\n');

    write(path.join(root, 'data/pglite.lock'), String(process.pid));
    const locked = run(RESTORE, [archivePath], env);
    expect(locked.status).not.toBe(0);
    expect(locked.stderr).toContain('Stop it first');
    fs.rmSync(path.join(root, 'data/pglite.lock'));

    const server = net.createServer((socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const answering = run(RESTORE, [archivePath], { ...env, HEALTH_PORT: String(port) });
      expect(answering.status).not.toBe(0);
      expect(answering.stderr).toContain(`127.0.0.1:${port}`);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(fs.readFileSync(path.join(root, 'data/pglite/PG_VERSION'), 'utf8')).toBe('live\n');
  });

  it('refuses to restore while DATA_DIR/openzero.pid names a live daemon (PostgreSQL deployments hold no PGlite lock)', async () => {
    expect(run(BACKUP, [], env).status).toBe(0);
    const archivePath = path.join(root, 'backups', archivesIn(path.join(root, 'backups'))[0] ?? '');
    write(path.join(root, 'data/pglite/PG_VERSION'), 'live\n');
    write(path.join(root, 'data/openzero.pid'), String(process.pid));
    const refused = run(RESTORE, [archivePath], env);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain(`pid ${process.pid}`);
    expect(refused.stderr).toContain('Stop it first');
    expect(fs.readFileSync(path.join(root, 'data/pglite/PG_VERSION'), 'utf8')).toBe('live\n');

    // A pid file left by a crashed daemon does not block.
    write(path.join(root, 'data/openzero.pid'), String(await deadPid()));
    expect(run(RESTORE, [archivePath], env).status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'data/pglite/PG_VERSION'), 'utf8')).toBe('17\n');
  });

  it('never puts the database password on a command line: pg_dump and pg_restore get it from a 0600 password file', () => {
    // Wrappers on PATH record their argv (what `ps` shows every local user) and the password file they were given.
    const bin = path.join(root, 'bin');
    const log = path.join(root, 'calls.log');
    for (const tool of ['pg_dump', 'pg_restore']) {
      write(
        path.join(bin, tool),
        [
          '#!/usr/bin/env bash',
          `printf '${tool} argv:%s\\n' "$*" >> "${log}"`,
          `if [[ -n "\${PGPASSFILE:-}" ]]; then printf '${tool} passfile-mode:%s\\n' "$(stat -c %a "$PGPASSFILE")" >> "${log}"; sed 's/^/${tool} passfile:/' "$PGPASSFILE" >> "${log}"; fi`,
          'for arg in "$@"; do case "$arg" in --file=-) ;; --file=*) echo dump > "${arg#--file=}" ;; esac; done',
          '',
        ].join('\n'),
      );
      fs.chmodSync(path.join(bin, tool), 0o755);
    }
    const pgEnv = { ...env, PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}`, DATABASE_URL: 'postgres://openzero:s3cr%3At%40pw@db.internal:5433/openzero' };
    const backup = run(BACKUP, [], pgEnv);
    expect(backup.stderr).toBe('');
    expect(backup.status).toBe(0);
    const archivePath = path.join(root, 'backups', archivesIn(path.join(root, 'backups'))[0] ?? '');
    const restore = run(RESTORE, ['--no-files', archivePath], pgEnv);
    expect(restore.stderr).toBe('');
    expect(restore.status).toBe(0);

    const calls = fs.readFileSync(log, 'utf8');
    const argvLines = calls.split('\n').filter((line) => / argv:/.test(line));
    expect(argvLines.filter((line) => line.includes('--dbname='))).toHaveLength(2);
    for (const line of argvLines) expect(line).not.toMatch(/s3cr|%3A|pw@/);
    for (const line of argvLines.filter((l) => l.includes('--dbname='))) expect(line).toContain('postgres://openzero@db.internal:5433/openzero');
    expect(calls).toContain('pg_dump passfile:*:*:*:*:s3cr\\:t@pw');
    expect(calls).toContain('pg_restore passfile:*:*:*:*:s3cr\\:t@pw');
    expect(calls).toContain('pg_dump passfile-mode:600');
    // The password file does not outlive the run.
    expect(fs.readdirSync(path.join(root, 'backups')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('keeps only the newest BACKUP_KEEP archives', () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      const result = run(BACKUP, [], { ...env, BACKUP_KEEP: '3' });
      expect(result.status).toBe(0);
      const wrote = /wrote (\S+)/.exec(result.stdout)?.[1];
      made.push(path.basename(wrote ?? ''));
    }
    expect(new Set(made).size).toBe(5);
    expect(archivesIn(path.join(root, 'backups'))).toEqual([...made.slice(2)].sort());
    expect(run(BACKUP, [], { ...env, BACKUP_KEEP: 'lots' }).status).not.toBe(0);
  });

  it.runIf(spawnSync('gpg', ['--version']).status === 0)('encrypts with gpg when BACKUP_PASSPHRASE_FILE is set, and restores from it', () => {
    const passphrase = path.join(root, 'passphrase');
    write(passphrase, 'correct horse battery staple\n');
    const gpgEnv = { ...env, BACKUP_PASSPHRASE_FILE: passphrase, GNUPGHOME: fs.mkdtempSync(path.join(root, 'gnupg-')) };
    expect(run(BACKUP, [], gpgEnv).status).toBe(0);
    const [archive] = archivesIn(path.join(root, 'backups'));
    expect(archive).toMatch(/\.tar\.gz\.gpg$/);
    const archivePath = path.join(root, 'backups', archive ?? '');
    expect(spawnSync('tar', ['-tzf', archivePath]).status).not.toBe(0);

    write(path.join(root, 'data/pglite/PG_VERSION'), 'changed\n');
    expect(run(RESTORE, [archivePath], env).status).not.toBe(0);
    const restored = run(RESTORE, [archivePath], gpgEnv);
    expect(restored.stderr).toBe('');
    expect(restored.status).toBe(0);
    expect(fs.readFileSync(path.join(root, 'data/pglite/PG_VERSION'), 'utf8')).toBe('17\n');
  });
});

function majorOf(text: string): number {
  return Number(/(\d+)(?:\.\d+)?/.exec(text)?.[1] ?? 0);
}

const adminUrl = inject('postgresUrl');
const pgDump = spawnSync('pg_dump', ['--version'], { encoding: 'utf8' });
const hasPgTools = pgDump.status === 0 && spawnSync('pg_restore', ['--version']).status === 0;

describe.runIf(adminUrl !== null && hasPgTools)('backup.sh and restore.sh on PostgreSQL', () => {
  it('dumps DATABASE_URL with pg_dump and restores it with pg_restore', async () => {
    const admin = new pg.Client({ connectionString: adminUrl ?? '' });
    await admin.connect();
    const serverMajor = majorOf(String((await admin.query<{ server_version: string }>('show server_version')).rows[0]?.server_version));
    // pg_dump refuses servers newer than itself; Debian's client matches the CI server.
    expect(majorOf(pgDump.stdout)).toBeGreaterThanOrEqual(serverMajor);

    const name = `oz_backup_${randomBytes(4).toString('hex')}`;
    await admin.query(`create database ${name}`);
    const url = (adminUrl ?? '').replace(/\/[^/]*$/, `/${name}`);
    const db = new pg.Client({ connectionString: url });
    try {
      await db.connect();
      await db.query('create table notes (id int primary key, body text not null)');
      await db.query("insert into notes values (1, 'remember the milk'), (2, 'call mum')");

      const pgEnv = { ...env, DATABASE_URL: url };
      const backup = run(BACKUP, [], pgEnv);
      expect(backup.stderr).toBe('');
      expect(backup.status).toBe(0);
      const [archive] = archivesIn(path.join(root, 'backups'));
      const entries = listArchive(path.join(root, 'backups', archive ?? ''));
      expect(entries).toEqual(expect.arrayContaining(['MANIFEST', 'database.dump', 'files/personal/about-me.md']));
      expect(entries.some((entry) => entry.startsWith('pglite'))).toBe(false);

      await db.query('delete from notes where id = 1');
      await db.query("insert into notes values (3, 'written after the backup')");

      const restore = run(RESTORE, [path.join(root, 'backups', archive ?? '')], pgEnv);
      expect(restore.stderr).toBe('');
      expect(restore.status).toBe(0);
      const rows = await db.query<{ id: number; body: string }>('select id, body from notes order by id');
      expect(rows.rows).toEqual([
        { id: 1, body: 'remember the milk' },
        { id: 2, body: 'call mum' },
      ]);

      // An archive of one kind is not restored into the other.
      const wrongKind = run(RESTORE, [path.join(root, 'backups', archive ?? '')], env);
      expect(wrongKind.status).not.toBe(0);
      expect(wrongKind.stderr).toContain('DATABASE_URL is not set');
    } finally {
      await db.end().catch(() => undefined);
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
  });
});
