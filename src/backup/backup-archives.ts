import fs from 'node:fs';
import path from 'node:path';

export interface ArchiveInfo {
  name: string;
  createdAt: Date;
  encrypted: boolean;
}

const ARCHIVE = /^openzero-.*\.tar\.gz(\.gpg|\.age)?$/;

/** The newest archive `scripts/backup.sh` wrote into `dir` (by modification time), or undefined. */
export function newestArchive(dir: string): ArchiveInfo | undefined {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  let newest: ArchiveInfo | undefined;
  for (const name of names) {
    const match = ARCHIVE.exec(name);
    if (!match) continue;
    const createdAt = fs.statSync(path.join(dir, name)).mtime;
    if (!newest || createdAt > newest.createdAt) newest = { name, createdAt, encrypted: match[1] !== undefined };
  }
  return newest;
}
