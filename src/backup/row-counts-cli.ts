import { openDatabase } from '../db/index.js';
import { silentLogger } from '../log/index.js';
import { countRows, formatRowCounts } from './row-counts.js';

/**
 * `node dist/backup/row-counts-cli.js <pglite folder>`: prints `table<TAB>rows` for an
 * embedded database restored into scratch space (used by `restore.sh --verify`).
 */
async function main(): Promise<number> {
  const dataDir = process.argv[2];
  if (!dataDir) {
    process.stderr.write('usage: row-counts-cli <pglite folder>\n');
    return 2;
  }
  const opened = await openDatabase({ kind: 'embedded', dataDir }, silentLogger());
  try {
    process.stdout.write(formatRowCounts(await countRows(opened.db)));
  } finally {
    await opened.close();
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`row-counts: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
