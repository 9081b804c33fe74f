import fs from 'node:fs';
import path from 'node:path';

/**
 * Removes group and other permissions from every file and folder under `root`.
 * PGlite's WebAssembly file system ignores the process umask: it chmods the files of a
 * new database to 0666 and the relation cache files it rewrites at each open to 0644.
 * Returns how many entries were changed.
 */
export function makeTreeOwnerOnly(root: string): number {
  let changed = 0;
  const visit = (file: string, stats: fs.Stats): void => {
    if (stats.isSymbolicLink()) return;
    if ((stats.mode & 0o077) !== 0) {
      fs.chmodSync(file, stats.mode & 0o700);
      changed += 1;
    }
    if (!stats.isDirectory()) return;
    for (const entry of fs.readdirSync(file)) {
      const child = path.join(file, entry);
      visit(child, fs.lstatSync(child));
    }
  };
  visit(root, fs.lstatSync(root));
  return changed;
}
