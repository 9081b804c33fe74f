import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isProcessAlive } from '../../src/db/pid-lock.js';

/** Memory-backed on Linux; a run's folders there are removed at its end. */
const SHARED_MEMORY = '/dev/shm';
/** Enough for every database and data folder a run holds at once, with room to spare. */
const MIN_FREE_BYTES = 2 * 1024 ** 3;
/** A folder this old is left over whatever its pid says (the pid may have been reused); no run lasts this long. */
const STALE_AFTER_MS = 6 * 60 * 60 * 1000;
const PREFIX = 'oz-tests-';
/** `oz-tests-<pid of the run>-<random>`. */
const ROOT_NAME = /^oz-tests-(\d+)-/;

/**
 * One folder for everything a run writes to disk: PGlite copies, daemons' data folders,
 * plans files. On Linux it is in shared memory: each test copies a 39 MB, ~1,000-file
 * embedded database, which costs 0.3–1.4 s on ext4 under load and ~0.1 s in memory, and
 * removing it costs the same again. Nothing here tests the disk itself (a daemon killed
 * with SIGKILL leaves the page cache intact either way). Elsewhere, the system's temp folder.
 */
export function createTestTempRoot(): string {
  const base = hasRoomInSharedMemory() ? SHARED_MEMORY : os.tmpdir();
  removeStaleRoots(base);
  return fs.mkdtempSync(path.join(base, `${PREFIX}${process.pid}-`));
}

function hasRoomInSharedMemory(): boolean {
  if (process.platform !== 'linux') return false;
  try {
    fs.accessSync(SHARED_MEMORY, fs.constants.W_OK);
    const stats = fs.statfsSync(SHARED_MEMORY);
    return stats.bavail * stats.bsize >= MIN_FREE_BYTES;
  } catch {
    return false;
  }
}

/** Folders of runs that were killed: their process is gone, or they are older than any run. */
function removeStaleRoots(base: string): void {
  for (const name of fs.readdirSync(base)) {
    if (!name.startsWith(PREFIX)) continue;
    const folder = path.join(base, name);
    try {
      const pid = Number(ROOT_NAME.exec(name)?.[1] ?? 0);
      const gone = pid > 0 && !isProcessAlive(pid);
      if (gone || Date.now() - fs.statSync(folder).mtimeMs > STALE_AFTER_MS) fs.rmSync(folder, { recursive: true, force: true });
    } catch {
      // Another run removed it meanwhile.
    }
  }
}
