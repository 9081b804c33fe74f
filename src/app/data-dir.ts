import fs from 'node:fs';
import type { Logger } from '../log/index.js';

/** Owner-only: memories, conversations and the owner's id live in DATA_DIR. */
const PRIVATE_DIR_MODE = 0o700;

export type DataDirOutcome =
  | { kind: 'created' }
  | { kind: 'private' }
  | { kind: 'tightened'; previousMode: string }
  /** Someone else owns the folder, so its mode cannot be changed; it stays as it is. */
  | { kind: 'foreign'; mode: string };

/**
 * Makes sure DATA_DIR exists and only its owner can enter it: a new folder is created
 * 0700, an existing one that others can read or enter is tightened to 0700. Throws only
 * when the folder cannot be created at all (the caller reports it).
 */
export function preparePrivateDataDir(dir: string): DataDirOutcome {
  const existed = fs.existsSync(dir);
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const { mode, uid } = fs.statSync(dir);
  // mkdir's mode passes through the umask; chmod makes it exact either way.
  if ((mode & 0o777) === PRIVATE_DIR_MODE) return existed ? { kind: 'private' } : { kind: 'created' };
  const octal = (mode & 0o777).toString(8).padStart(3, '0');
  if (typeof process.getuid === 'function' && uid !== process.getuid()) return { kind: 'foreign', mode: octal };
  fs.chmodSync(dir, PRIVATE_DIR_MODE);
  return existed ? { kind: 'tightened', previousMode: octal } : { kind: 'created' };
}

/**
 * Every file and folder the daemon creates from here on is owner-only (0600 / 0700),
 * including the embedded database's files and the log file.
 */
export function restrictNewFiles(): void {
  process.umask(0o077);
}

/** One log line when the folder's mode was changed or could not be. */
export function logDataDirOutcome(outcome: DataDirOutcome, dataDir: string, log: Logger): void {
  if (outcome.kind === 'tightened') log.warn({ dataDir, previousMode: outcome.previousMode, mode: '700' }, 'DATA_DIR was readable by other users; tightened to owner-only');
  if (outcome.kind === 'foreign') log.warn({ dataDir, mode: outcome.mode }, 'DATA_DIR belongs to another user and is readable by others; its mode was left unchanged');
  if (outcome.kind === 'created') log.info({ dataDir, mode: '700' }, 'DATA_DIR created');
}
