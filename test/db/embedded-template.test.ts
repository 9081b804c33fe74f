import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { create as createTar } from 'tar';
import { embeddedTemplatePath, unpackEmbeddedTemplate } from '../../src/db/embedded-template.js';
import { openDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-template-test-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('embedded database template (prepared by npm ci)', () => {
  it('exists after npm ci, so a first start skips initdb', () => {
    expect(embeddedTemplatePath()).toMatch(/node_modules[\\/]\.cache[\\/]openzero[\\/]pglite-\d+\.\d+\.\d+\.tar\.gz$/);
  });

  it('unpacks into a folder that opens as a working database, with owner-only files', async () => {
    const dataDir = path.join(scratch, 'fresh', 'pglite');
    const opened = await openDatabase({ kind: 'embedded', dataDir }, silentLogger());
    try {
      const { rows } = await sql<{ answer: number }>`select 41 + 1 as answer`.execute(opened.db);
      expect(rows[0]?.answer).toBe(42);
    } finally {
      await opened.close();
    }
    expect(fs.statSync(path.join(dataDir, 'PG_VERSION')).mode & 0o077).toBe(0);
  });

  it('writes PG_VERSION last', async () => {
    const source = path.join(scratch, 'source');
    fs.mkdirSync(path.join(source, 'base'), { recursive: true });
    fs.writeFileSync(path.join(source, 'PG_VERSION'), '17\n');
    fs.writeFileSync(path.join(source, 'base', 'file'), 'x');
    const archive = path.join(scratch, 'made.tar.gz');
    await createTar({ gzip: true, file: archive, cwd: source }, ['PG_VERSION', 'base']);
    const target = path.join(scratch, 'target');
    fs.mkdirSync(target);
    await unpackEmbeddedTemplate(archive, target);
    expect(fs.readFileSync(path.join(target, 'PG_VERSION'), 'utf8')).toBe('17\n');
    expect(fs.readFileSync(path.join(target, 'base', 'file'), 'utf8')).toBe('x');

    // A failure part-way (here: a folder where a file must go) leaves no PG_VERSION behind,
    // so the next start unpacks again instead of opening half a cluster.
    const blocked = path.join(scratch, 'blocked');
    fs.mkdirSync(path.join(blocked, 'base', 'file'), { recursive: true });
    await expect(unpackEmbeddedTemplate(archive, blocked)).rejects.toThrow();
    expect(fs.existsSync(path.join(blocked, 'PG_VERSION'))).toBe(false);
  });

  it('refuses a member that would land outside the data folder, before writing anything', async () => {
    const source = path.join(scratch, 'escape');
    fs.mkdirSync(source, { recursive: true });
    fs.writeFileSync(path.join(source, 'PG_VERSION'), '17\n');
    const archive = path.join(scratch, 'escape.tar.gz');
    await createTar({ gzip: true, file: archive, cwd: source, preservePaths: true, onWriteEntry: (entry) => { entry.path = '../../outside'; } }, ['PG_VERSION']);
    const target = path.join(scratch, 'escape-target', 'pglite');
    fs.mkdirSync(target, { recursive: true });
    await expect(unpackEmbeddedTemplate(archive, target)).rejects.toThrow(/outside the data folder/);
    expect(fs.existsSync(path.join(scratch, 'outside'))).toBe(false);
  });

  it('refuses an archive that is damaged or holds no cluster', async () => {
    const damaged = path.join(scratch, 'damaged.tar.gz');
    fs.writeFileSync(damaged, zlib.gzipSync(Buffer.from('not a tar archive at all'.repeat(40))));
    fs.mkdirSync(path.join(scratch, 'damaged-target'));
    await expect(unpackEmbeddedTemplate(damaged, path.join(scratch, 'damaged-target'))).rejects.toThrow();

    const source = path.join(scratch, 'no-cluster');
    fs.mkdirSync(path.join(source, 'base'), { recursive: true });
    fs.writeFileSync(path.join(source, 'base', 'file'), 'x');
    const archive = path.join(scratch, 'no-cluster.tar.gz');
    await createTar({ gzip: true, file: archive, cwd: source }, ['base']);
    fs.mkdirSync(path.join(scratch, 'no-cluster-target'));
    await expect(unpackEmbeddedTemplate(archive, path.join(scratch, 'no-cluster-target'))).rejects.toThrow(/holds no database cluster/);
  });
});
