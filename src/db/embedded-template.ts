import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

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

/**
 * Unpacks the template into an empty data folder. The archive's members are absolute
 * ("/PG_VERSION", "/base/1/…"): they are stripped to relative paths, so nothing lands
 * outside `dataDir`. PG_VERSION, which marks a folder as an existing cluster, is written
 * last, so a crash part-way leaves a folder the next start unpacks again.
 */
export async function unpackEmbeddedTemplate(archive: string, dataDir: string): Promise<void> {
  const { extract } = await import('tar'); // only ever needed on a first start
  const isMarker = (member: string): boolean => member.replace(/^\/+/, '') === CLUSTER_MARKER;
  const common = { file: archive, cwd: dataDir, preservePaths: false, onwarn: () => undefined };
  await extract({ ...common, filter: (member) => !isMarker(member) });
  await extract({ ...common, filter: isMarker });
  if (!fs.existsSync(path.join(dataDir, CLUSTER_MARKER))) throw new Error(`the template ${archive} holds no database cluster`);
}
