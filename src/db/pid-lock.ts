import fs from 'node:fs';

/**
 * Claims `lockPath` for this process with a pid file. A live holder makes
 * `busy(pid)` the thrown error; a stale file from a crashed process is taken
 * over. Returns the release function.
 */
export function acquirePidLock(lockPath: string, busy: (pid: number) => Error): () => void {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      fs.writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(lockPath, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = Number(fs.readFileSync(lockPath, 'utf8').trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && isProcessAlive(holder)) throw busy(holder);
      fs.rmSync(lockPath, { force: true });
    }
  }
  throw new Error(`cannot take the lock ${lockPath}`);
}

/** Whether a process with this pid runs (EPERM: it runs, as another user). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
