import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess } from '../support/daemon.js';

/** Every path under `root` (itself included) with its permission bits. */
function modes(root: string): Array<{ file: string; mode: number }> {
  const found = [{ file: root, mode: fs.statSync(root).mode & 0o777 }];
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    const file = path.join(entry.parentPath, entry.name);
    found.push({ file, mode: fs.lstatSync(file).mode & 0o777 });
  }
  return found;
}

describe('DATA_DIR is private to its owner', () => {
  let scratch: string | undefined;
  let daemon: DaemonProcess | undefined;

  afterEach(async () => {
    if (daemon) await stopDaemon(daemon);
    daemon = undefined;
    if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
    scratch = undefined;
  });

  it('creates a fresh DATA_DIR 0700, says what it is doing while the embedded database is created, and every file the daemon writes (embedded database, log, locks) is owner-only', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-datadir-'));
    const dataDir = path.join(scratch, 'nested', 'data');
    daemon = startDaemon(baseEnv({ TERMINAL: 'on', DATA_DIR: dataDir }));
    await daemon.waitForText('Terminal channel', 280_000);
    const open = modes(dataDir);
    daemon.child.stdin.end();
    expect((await daemon.exited).code).toBe(0);

    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    // The slow first step is announced, not silent.
    expect(daemon.stderr()).toContain(`Creating the embedded database in ${path.join(dataDir, 'pglite')} (first start only`);
    expect(daemon.stderr()).toMatch(/Embedded database created in \d+\.\d s\./);
    // The embedded database was created by this daemon, so its files are among the ones checked.
    expect(open.some(({ file }) => file.endsWith('PG_VERSION'))).toBe(true);
    expect(open.some(({ file }) => file.endsWith('openzero.log'))).toBe(true);
    const readableByOthers = [...open, ...modes(dataDir)].filter(({ mode }) => (mode & 0o077) !== 0);
    expect(readableByOthers.map(({ file, mode }) => `${path.relative(dataDir, file) || '.'} ${mode.toString(8)}`)).toEqual([]);
    // initdb runs here: minutes on a machine busy with other work.
  }, 300_000);

  it('tightens an existing DATA_DIR that others could read, and says so in the log', async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-datadir-'));
    const dataDir = path.join(scratch, 'data');
    fs.mkdirSync(dataDir);
    fs.cpSync(inject('pgliteTemplate'), path.join(dataDir, 'pglite'), { recursive: true });
    fs.chmodSync(dataDir, 0o755);
    daemon = startDaemon(baseEnv({ TERMINAL: 'on', DATA_DIR: dataDir }));
    await daemon.waitForText('Terminal channel', 120_000);
    daemon.child.stdin.end();
    expect((await daemon.exited).code).toBe(0);

    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    const lines = fs.readFileSync(path.join(dataDir, 'openzero.log'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ msg: 'DATA_DIR was readable by other users; tightened to owner-only', previousMode: '755' }));
  });
});
