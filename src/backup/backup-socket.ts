import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { Logger } from '../log/index.js';
import { formatRowCounts } from './row-counts.js';
import type { EmbeddedSnapshot } from './embedded-snapshot.js';

/** Header carrying the row counts (base64 of counts.tsv) next to the tarball body. */
export const ROW_COUNTS_HEADER = 'x-openzero-row-counts';

export interface BackupSocket {
  path: string;
  close(): Promise<void>;
}

/**
 * HTTP on a unix socket in a 0700 folder of DATA_DIR (the socket itself 0600):
 * `POST /snapshot` answers with a consistent dump of the embedded database. Only
 * the owner's user can connect; nothing listens on TCP. `scripts/backup.sh` speaks
 * to it with `curl --unix-socket`.
 */
export async function startBackupSocket(options: {
  dataDir: string;
  snapshot: () => Promise<EmbeddedSnapshot>;
  log: Logger;
}): Promise<BackupSocket> {
  const dir = path.join(options.dataDir, 'control');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const socketPath = path.join(dir, 'backup.sock');
  // The instance lock says no other daemon owns this folder: a socket file here is stale.
  fs.rmSync(socketPath, { force: true });
  let busy = false;
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/snapshot') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST /snapshot is the only request here\n');
      return;
    }
    if (busy) {
      res.writeHead(409, { 'content-type': 'text/plain' }).end('a snapshot is already being taken; try again in a minute\n');
      return;
    }
    busy = true;
    options
      .snapshot()
      .then(
        (snapshot) => {
          res.writeHead(200, {
            'content-type': 'application/gzip',
            'content-length': String(snapshot.tarball.byteLength),
            [ROW_COUNTS_HEADER]: Buffer.from(formatRowCounts(snapshot.counts)).toString('base64'),
          });
          res.end(snapshot.tarball);
          options.log.info({ bytes: snapshot.tarball.byteLength, tables: Object.keys(snapshot.counts).length }, 'embedded database snapshot served');
        },
        (err: unknown) => {
          options.log.error({ err }, 'embedded database snapshot failed');
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`snapshot failed: ${err instanceof Error ? err.message : String(err)}\n`);
        },
      )
      .finally(() => {
        busy = false;
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      server.off('error', reject);
      resolve();
    });
  });
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        fs.rmSync(socketPath, { force: true });
      }),
  };
}
