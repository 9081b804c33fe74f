import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * The empty embedded cluster that `npm ci` prepared (scripts/prepare-embedded-database.mjs):
 * node_modules/.cache/openzero/pglite-<version>.tar.gz, or null when there is none (install
 * scripts skipped, or a PGlite upgrade without a reinstall).
 */
export function embeddedTemplatePath(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('@electric-sql/pglite');
    const marker = `${path.sep}node_modules${path.sep}`;
    const at = entry.lastIndexOf(marker);
    if (at < 0) return null;
    const nodeModules = entry.slice(0, at + marker.length - 1);
    const manifest = JSON.parse(fs.readFileSync(path.join(nodeModules, '@electric-sql', 'pglite', 'package.json'), 'utf8')) as { version?: unknown };
    if (typeof manifest.version !== 'string') return null;
    const archive = path.join(nodeModules, '.cache', 'openzero', `pglite-${manifest.version}.tar.gz`);
    return fs.existsSync(archive) ? archive : null;
  } catch {
    return null;
  }
}

const CLUSTER_MARKER = 'PG_VERSION';
const BLOCK = 512;

/**
 * Unpacks the template into an empty data folder. The archive's members are absolute
 * ("/PG_VERSION", "/base/1/…"): they are made relative, and one that would land outside
 * `dataDir` makes the whole archive unusable. PG_VERSION, which marks a folder as an existing
 * cluster, is written last, so a crash part-way leaves a folder the next start unpacks again.
 *
 * Read whole and written synchronously (folders 0700, files 0600): the archive is PGlite's own
 * plain ustar dump (~4.5 MB gzipped, ~1,000 files, 40 MB), and this runs once, before anything
 * else needs the event loop. node-tar took 0.9–3 s for it on a busy 2-core machine (one thread-pool
 * round trip per step of every file), this 0.3–1.9 s depending on the load (BENCHMARKS.md, 2026-12-03).
 */
export async function unpackEmbeddedTemplate(archive: string, dataDir: string): Promise<void> {
  const members = readTarMembers(zlib.gunzipSync(fs.readFileSync(archive)));
  const root = path.resolve(dataDir);
  const marker: TarMember[] = [];
  for (const member of members) {
    const relative = path.normalize(member.name.replace(/^\/+/, '')).replace(/[\\/]+$/, '');
    if (relative === '' || relative === '.') continue;
    const target = path.resolve(root, relative);
    if (!target.startsWith(`${root}${path.sep}`)) throw new Error(`the template ${archive} has a member outside the data folder: ${member.name}`);
    if (relative === CLUSTER_MARKER) {
      marker.push({ ...member, name: target });
      continue;
    }
    writeMember({ ...member, name: target });
  }
  for (const member of marker) writeMember(member);
  if (!fs.existsSync(path.join(dataDir, CLUSTER_MARKER))) throw new Error(`the template ${archive} holds no database cluster`);
}

interface TarMember {
  name: string;
  kind: 'file' | 'directory';
  data: Uint8Array;
}

function writeMember(member: TarMember): void {
  if (member.kind === 'directory') {
    fs.mkdirSync(member.name, { recursive: true, mode: 0o700 });
    return;
  }
  fs.mkdirSync(path.dirname(member.name), { recursive: true, mode: 0o700 });
  fs.writeFileSync(member.name, member.data, { mode: 0o600 });
}

/**
 * The members of an uncompressed ustar archive: regular files and folders, with a pax header's
 * `path` honoured (node-tar writes those for long names). Anything else (links, devices, a
 * damaged header) throws: the template is then unusable and the daemon runs initdb instead.
 */
function readTarMembers(tar: Buffer): TarMember[] {
  const members: TarMember[] = [];
  let paxPath: string | undefined;
  let offset = 0;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break; // the end-of-archive blocks
    if (!field(header, 257, 6).startsWith('ustar')) throw new Error(`not a tar archive (no ustar header at byte ${offset})`);
    const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0) throw new Error(`damaged tar header at byte ${offset}`);
    const type = String.fromCharCode(header[156] ?? 0);
    const data = tar.subarray(offset + BLOCK, offset + BLOCK + size);
    if (data.length !== size) throw new Error('truncated tar archive');
    offset += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x') {
      paxPath = /(?:^|\n)\d+ path=([^\n]*)\n/.exec(data.toString('utf8'))?.[1];
      continue;
    }
    if (type === 'g') continue; // global pax defaults: nothing we use
    const prefix = field(header, 345, 155);
    const name = paxPath ?? (prefix ? `${prefix}/${field(header, 0, 100)}` : field(header, 0, 100));
    paxPath = undefined;
    if (type === '0' || type === '\0') members.push({ name, kind: 'file', data });
    else if (type === '5') members.push({ name, kind: 'directory', data });
    else throw new Error(`unsupported tar member type '${type}' for ${name}`);
  }
  return members;
}

function field(header: Buffer, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? length : end).toString('utf8');
}
