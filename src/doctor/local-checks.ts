import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import type { Config } from '../config/index.js';
import { appliedMigrations, openDatabase, redactUrl } from '../db/index.js';
import { migrations } from '../db/migrations/index.js';
import { newestArchive, STALE_AFTER_MS } from '../backup/index.js';
import { createPlankaClient, type PlankaClient, type PlankaUser } from '../board/planka/index.js';
import { silentLogger } from '../log/index.js';
import { fail, ok, warn, type CheckResult } from './check-result.js';

const GB = 1024 ** 3;

/** Reachable, migrations current, free disk space where the data lives. */
export async function checkDatabase(config: Config, localDaemonPid: number | undefined): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const known = Object.keys(migrations);
  if (config.database.kind === 'postgres') {
    const client = new pg.Client({ connectionString: config.database.url, connectionTimeoutMillis: 10_000 });
    try {
      await client.connect();
      const applied = await client
        .query<{ name: string }>('select name from kysely_migration')
        .then((r) => r.rows.map((row) => row.name))
        .catch(() => [] as string[]);
      results.push(migrationResult('PostgreSQL', known, applied));
    } catch (err) {
      results.push(fail('Database', `PostgreSQL at ${redactUrl(config.database.url)} unreachable (${err instanceof Error ? err.message : String(err)})`, 'start PostgreSQL (docker compose up -d postgres) and check DATABASE_URL'));
    } finally {
      await client.end().catch(() => undefined);
    }
  } else if (!fs.existsSync(path.join(config.database.dataDir, 'PG_VERSION'))) {
    results.push(warn('Database', `no embedded database in ${config.database.dataDir} yet`, 'nothing to do: npm start creates it'));
  } else if (localDaemonPid !== undefined) {
    results.push(ok('Database', `embedded, open in the running daemon (pid ${localDaemonPid}); it migrates at start`));
  } else {
    try {
      const opened = await openDatabase(config.database, silentLogger());
      try {
        results.push(migrationResult('embedded', known, await appliedMigrations(opened.db)));
      } finally {
        await opened.close();
      }
    } catch (err) {
      results.push(fail('Database', `embedded database cannot be opened (${err instanceof Error ? err.message : String(err)})`, 'restore the newest backup: scripts/restore.sh backups/<newest>'));
    }
  }
  results.push(diskResult(config.dataDir));
  return results;
}

function migrationResult(kind: string, known: string[], applied: string[]): CheckResult {
  const pending = known.filter((name) => !applied.includes(name));
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0) return fail('Database', `${kind}: migrations ${unknown.join(', ')} come from a newer openzero`, 'update openzero to the version that wrote them (git pull), or restore a backup made before');
  if (pending.length > 0) return warn('Database', `${kind}: ${pending.length} migration(s) not applied yet`, 'start openzero: it migrates at start');
  return ok('Database', `${kind} reachable, ${applied.length}/${known.length} migrations applied`);
}

function diskResult(dataDir: string): CheckResult {
  let dir = dataDir;
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const stats = fs.statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  const text = `${(free / GB).toFixed(1)} GB free at ${dir}`;
  if (free < 0.5 * GB) return fail('Disk', text, 'free space: docker system prune, journalctl --vacuum-size=200M, or lower BACKUP_KEEP');
  if (free < 2 * GB) return warn('Disk', text, 'free some space soon (docker system prune, old backups)');
  return ok('Disk', text);
}

/** Planka, when configured: the credentials accepted, projects visible, and a role that may create projects. */
export async function checkPlanka(config: Config): Promise<CheckResult[]> {
  if (!config.planka) return [ok('Planka', 'not configured: tasks stay in the database')];
  const client = createPlankaClient({ baseUrl: config.planka.baseUrl, auth: config.planka.auth, timeoutMs: 10_000, log: silentLogger() });
  const probe = await client.probe();
  if (!probe.ok) {
    if (probe.kind === 'unauthorized') {
      return [fail('Planka', `sign-in refused (${probe.message})`, config.planka.auth.kind === 'api-key' ? 'create a new API key in Planka (user settings) and set PLANKA_API_KEY' : 'check PLANKA_USERNAME and PLANKA_PASSWORD (or use PLANKA_API_KEY)')];
    }
    if (probe.kind === 'forbidden') return [fail('Planka', `the user may not list projects (${probe.message})`, ROLE_FIX)];
    return [fail('Planka', `unreachable or failing (${probe.message})`, 'start it (docker compose up -d planka) or fix PLANKA_BASE_URL')];
  }
  return [ok('Planka', `signed in at ${new URL(config.planka.baseUrl).host}; ${probe.projects} project(s) visible`), await plankaRole(client)];
}

const ROLE_FIX = 'in Planka, Settings → Users, give this user the Project Owner or Admin role';
/** Roles whose can-create-projects policy passes (Planka 2 User.Roles). */
const PROJECT_CREATORS = new Set(['admin', 'projectOwner', 'personalProjectOwner']);

async function plankaRole(client: PlankaClient): Promise<CheckResult> {
  let user: PlankaUser;
  try {
    user = await client.currentUser();
  } catch (err) {
    return warn('Planka role', `the role could not be read (${err instanceof Error ? err.message : String(err)})`, 'make sure the user is Project Owner or Admin in Planka (Settings → Users)');
  }
  const who = user.username ? `${user.username} is` : 'the user is';
  if (PROJECT_CREATORS.has(user.role)) return ok('Planka role', `${who} ${user.role}: may create the openzero project`);
  if (user.role === 'boardUser') return fail('Planka role', `${who} a Board User (Planka's default for new users): it may not create projects, so every task write is refused`, ROLE_FIX);
  return warn('Planka role', `${who} ${user.role}, a role this openzero does not know`, 'make sure it may create projects, or give it the Project Owner role');
}

export function checkDeepThink(config: Config): CheckResult {
  if (!config.deepThink) return ok('Deep think', 'not configured: /think is off');
  return ok('Deep think', `configured (${new URL(config.deepThink.baseUrl).host}, ${config.deepThink.model}); not contacted by doctor`);
}

export function checkBackups(config: Config, now: Date): CheckResult {
  const newest = newestArchive(config.backup.dir);
  if (!newest) return warn('Backups', `none in ${config.backup.dir}`, 'run scripts/backup.sh, and keep BACKUP_SCHEDULE on (or a host cron line)');
  const hours = Math.max(0, Math.floor((now.getTime() - newest.createdAt.getTime()) / 3_600_000));
  const text = `newest ${newest.name}, ${hours} h old, ${newest.encrypted ? 'encrypted' : 'NOT encrypted'}`;
  if (now.getTime() - newest.createdAt.getTime() > STALE_AFTER_MS) return fail('Backups', text, 'run scripts/backup.sh now and read its error; check BACKUP_SCHEDULE');
  if (!newest.encrypted) return warn('Backups', text, 'set BACKUP_PASSPHRASE_FILE (gpg) or BACKUP_AGE_RECIPIENT (age) in .env');
  return ok('Backups', text);
}

/** DATA_DIR 0700 and .env 0600: both hold what only the owner may read. */
export function checkPermissions(config: Config, envFile: string): CheckResult[] {
  const results: CheckResult[] = [];
  if (fs.existsSync(config.dataDir)) {
    const mode = fs.statSync(config.dataDir).mode & 0o777;
    results.push(mode & 0o077 ? fail('DATA_DIR', `${config.dataDir} is ${mode.toString(8)}: other users can read it`, `chmod -R go-rwx ${config.dataDir}`) : ok('DATA_DIR', `${config.dataDir} is ${mode.toString(8)}`));
  } else {
    results.push(warn('DATA_DIR', `${config.dataDir} does not exist yet`, 'nothing to do: npm start creates it'));
  }
  if (fs.existsSync(envFile)) {
    const mode = fs.statSync(envFile).mode & 0o777;
    results.push(mode & 0o077 ? fail('.env', `${envFile} is ${mode.toString(8)}: other users can read the secrets`, `chmod 600 ${envFile}`) : ok('.env', `${envFile} is ${mode.toString(8)}`));
  } else {
    results.push(ok('.env', 'no .env file: settings come from the environment'));
  }
  return results;
}
