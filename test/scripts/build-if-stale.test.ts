import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');

/** A tiny copy of the project layout (its own src/, the real scripts and esbuild). */
function miniProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-build-'));
  fs.mkdirSync(path.join(dir, 'scripts'));
  for (const script of ['build-if-stale.mjs', 'build.mjs']) fs.copyFileSync(path.join(repo, 'scripts', script), path.join(dir, 'scripts', script));
  fs.symlinkSync(path.join(repo, 'node_modules'), path.join(dir, 'node_modules'));
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src/main.ts'), 'export const answer: number = 42;\n');
  fs.writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
  return dir;
}

function start(dir: string): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

/** Moves a file's modification time `seconds` into the future (an edit, without waiting for the clock). */
function touchLater(file: string, seconds: number): void {
  const later = new Date(Date.now() + seconds * 1000);
  fs.utimesSync(file, later, later);
}

describe('npm start builds only when dist/ is stale, and says so', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('builds on the first start with a "building…" line, then starts silently until src/ changes', () => {
    dir = miniProject();
    const first = start(dir);
    expect(first.status).toBe(0);
    expect(first.stderr).toContain('building…');
    expect(fs.existsSync(path.join(dir, 'dist/main.js'))).toBe(true);

    const second = start(dir);
    expect(second).toEqual({ status: 0, stderr: '' });

    fs.writeFileSync(path.join(dir, 'src/main.ts'), 'export const answer: number = 43;\n');
    touchLater(path.join(dir, 'src/main.ts'), 5);
    const third = start(dir);
    expect(third.status).toBe(0);
    expect(third.stderr).toContain('building… (src/ changed since the last build)');
    expect(fs.readFileSync(path.join(dir, 'dist/main.js'), 'utf8')).toContain('43');
  });

  it('stops with the compiler errors when the build fails', () => {
    dir = miniProject();
    fs.writeFileSync(path.join(dir, 'src/main.ts'), 'export const answer: number = (42;\n');
    const result = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { cwd: dir, encoding: 'utf8' });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toContain('Expected ")" but found ";"');
    expect(result.stdout + result.stderr).toContain('src/main.ts:1:33');
    expect(result.stderr).toContain('build failed');
    expect(fs.existsSync(path.join(dir, 'dist/.build-stamp'))).toBe(false);
  });

  it('builds the source as it is: type errors are for `npm run typecheck`, not a reason to refuse a start', () => {
    dir = miniProject();
    fs.writeFileSync(path.join(dir, 'src/main.ts'), 'export const answer: number = "forty-two" as unknown as number;\nexport const wrong: string = 42;\n');
    expect(start(dir).status).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'dist/main.js'), 'utf8')).toContain('forty-two');
  });
});
