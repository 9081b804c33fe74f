import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** Static checks on the Dockerfile and the systemd unit (no Docker engine or systemd here). */

const root = path.resolve(import.meta.dirname, '..');
const read = (file: string): string => readFileSync(path.join(root, file), 'utf8');
/** The lines that are instructions, without comments. */
const instructions = (text: string): string[] =>
  text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));

describe('Dockerfile', () => {
  const lines = instructions(read('Dockerfile'));
  const stages = lines.filter((line) => /^FROM\s/i.test(line));
  const finalStage = lines.slice(lines.lastIndexOf(stages.at(-1)!));

  it('is multi-stage: builds with dev dependencies, ships production ones only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).toMatch(/npm ci --omit=dev/);
    expect(finalStage.join('\n')).not.toMatch(/npm ci(?! --omit=dev)/);
  });

  it('pins its base images to a version', () => {
    for (const stage of stages) expect(stage).toMatch(/^FROM\s+\S+:\d+[\w.-]*(\s+AS\s+\w+)?$/i);
  });

  it('runs as a non-root user', () => {
    const user = finalStage.filter((line) => /^USER\s/i.test(line)).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|$)/i);
  });

  it('has an init as PID 1 (tini)', () => {
    expect(finalStage.join('\n')).toMatch(/apt-get install[^\n]*\btini\b/);
    expect(finalStage.find((line) => /^ENTRYPOINT\s/i.test(line))).toMatch(/tini/);
  });

  it('skips the onnxruntime GPU download and carries what the nightly backup needs', () => {
    expect(lines.join('\n')).toMatch(/ONNXRUNTIME_NODE_INSTALL=skip/);
    const final = finalStage.join('\n');
    for (const tool of ['postgresql-client-16', 'gnupg', 'curl']) expect(final, tool).toContain(tool);
    expect(final).toMatch(/^COPY scripts /m);
  });
});

describe('scripts/openzero.service', () => {
  const unit = instructions(read('scripts/openzero.service'));
  const settings = (key: string): string[] =>
    unit.filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));

  it('restarts always and checks health after start (the daemon does not notify, so no watchdog)', () => {
    expect(settings('Restart')).toEqual(['always']);
    expect(settings('ExecStartPost').join('\n')).toMatch(/curl[^\n]*\/health/);
    expect(settings('WatchdogSec')).toEqual([]);
  });

  it('is hardened and may write only its data and backups', () => {
    expect(settings('ProtectSystem')).toEqual(['strict']);
    expect(settings('NoNewPrivileges')).toEqual(['yes']);
    expect(settings('PrivateTmp')).toEqual(['yes']);
    expect(settings('ProtectHome')).toEqual(['yes']);
    expect(settings('ReadWritePaths').join(' ').split(/\s+/).sort()).toEqual(['/srv/openzero/backups', '/srv/openzero/data']);
    expect(settings('User')).not.toEqual([]);
    expect(settings('User')).not.toContain('root');
  });
});

describe('every way of starting the daemon', () => {
  it('passes Node the same flags (npm start, the image, the systemd unit, the tests and benchmarks)', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: { start: string } }).scripts.start;
    const flags = /node ((?:--[\w-]+=\S+ )*)dist\/main\.js/.exec(start)?.[1]?.trim().split(' ').filter(Boolean);
    // None today: V8's defaults (README, "Benchmarks"; BENCHMARKS.md, idle RSS).
    expect(flags).toEqual([]);
    const list = flags!.map((flag) => `${JSON.stringify(flag)}, `).join('');
    expect(read('Dockerfile')).toContain(`CMD ["node", ${list}"dist/main.js"]`);
    expect(read('scripts/openzero.service')).toContain(`ExecStart=/usr/bin/node ${flags!.map((flag) => `${flag} `).join('')}dist/main.js`);
    expect(read('test/support/daemon.ts')).toContain(`const START_FLAGS: string[] = [${flags!.map((flag) => `'${flag}'`).join(', ')}];`);
  });
});
