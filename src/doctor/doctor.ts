import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../config/index.js';
import { openDatabase, type Db } from '../db/index.js';
import { silentLogger } from '../log/index.js';
import { fail, ok, type CheckResult } from './check-result.js';
import { checkGoogle, type DatabaseAccess } from './google-check.js';
import { checkBackups, checkDatabase, checkDeepThink, checkPermissions, checkPlanka } from './local-checks.js';
import { checkEmbeddingModel, checkOllama, checkQdrant, checkTelegram } from './service-checks.js';

export interface DoctorInput {
  env: Readonly<Record<string, string | undefined>>;
  /** The .env file whose permissions are checked. */
  envFile: string;
  now: Date;
  /** The running daemon's database (`/doctor` in chat); the CLI opens its own when nobody holds it. */
  db?: Db;
}

/** Every check, in order; never throws (a check that crashes is a ❌ line of its own). */
export async function runDoctor(input: DoctorInput): Promise<CheckResult[]> {
  const loaded = loadConfig(input.env);
  if (!loaded.ok) {
    return [
      ...loaded.problems.map((problem) => fail('Settings', problem, `fix ${problem.split(':')[0] ?? 'it'} in .env (see .env.example)`)),
      { status: 'warn', check: 'Other checks', found: 'skipped until the settings are valid' },
    ];
  }
  const config = loaded.config;
  const pid = localDaemonPid(config.dataDir);
  const results: CheckResult[] = [ok('Settings', 'all valid')];
  const guarded = async (name: string, check: () => Promise<CheckResult[]> | CheckResult[] | CheckResult | Promise<CheckResult>): Promise<void> => {
    try {
      const result = await check();
      results.push(...(Array.isArray(result) ? result : [result]));
    } catch (err) {
      results.push(fail(name, `the check itself failed (${err instanceof Error ? err.message : String(err)})`, 'report this with the line above'));
    }
  };
  await guarded('Database', () => checkDatabase(config, pid));
  await guarded('Telegram', () => checkTelegram(config, pid));
  await guarded('Ollama', () => checkOllama(config));
  await guarded('Embedding model', () => checkEmbeddingModel(config));
  await guarded('Qdrant', () => checkQdrant(config));
  await guarded('Planka', () => checkPlanka(config));
  await guarded('Google', () => checkGoogle(config, databaseAccess(config, pid, input.db), input.now));
  await guarded('Deep think', () => checkDeepThink(config));
  await guarded('Backups', () => checkBackups(config, input.now));
  await guarded('Permissions', () => checkPermissions(config, input.envFile));
  return results;
}

/** The daemon's database when given; else one opened for the check, unless the daemon holds the embedded one. */
function databaseAccess(config: Config, pid: number | undefined, db: Db | undefined): DatabaseAccess {
  return async (use) => {
    if (db) return use(db);
    if (config.database.kind === 'embedded' && pid !== undefined) return 'held';
    if (config.database.kind === 'embedded' && !fs.existsSync(path.join(config.database.dataDir, 'PG_VERSION'))) return 'absent';
    const opened = await openDatabase(config.database, silentLogger());
    try {
      return await use(opened.db);
    } finally {
      await opened.close();
    }
  };
}

/** The pid in DATA_DIR/openzero.pid when that process is alive. */
function localDaemonPid(dataDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'openzero.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return undefined;
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? Number(fs.readFileSync(path.join(dataDir, 'openzero.pid'), 'utf8').trim()) : undefined;
  }
}
