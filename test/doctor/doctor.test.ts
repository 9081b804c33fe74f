import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { runDoctor, formatResult, type CheckResult } from '../../src/doctor/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/qdrant.js';
import { startFakePlanka, type FakePlanka } from '../fakes/planka.js';

const repo = path.resolve(import.meta.dirname, '../..');
let root: string;
let telegram: FakeTelegram;
let ollama: FakeOllama;
let qdrant: FakeQdrant;
let planka: FakePlanka;
let env: Record<string, string>;
const now = new Date();

beforeEach(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-doctor-'));
  fs.mkdirSync(path.join(root, 'data'), { mode: 0o700 });
  fs.cpSync(inject('pgliteTemplate'), path.join(root, 'data/pglite'), { recursive: true });
  fs.mkdirSync(path.join(root, 'backups'));
  fs.writeFileSync(path.join(root, 'backups/openzero-20261201T030000Z.tar.gz.gpg'), 'x');
  fs.writeFileSync(path.join(root, '.env'), 'X=1\n', { mode: 0o600 });
  telegram = await startFakeTelegram();
  ollama = await startFakeOllama({ models: ['llama3.2:3b'] });
  qdrant = await startFakeQdrant({ apiKey: 'qdrant-key' });
  planka = await startFakePlanka({ apiKey: 'planka-key' });
  env = {
    TELEGRAM_BOT_TOKEN: telegram.token,
    TELEGRAM_API_ROOT: telegram.apiRoot,
    DATA_DIR: path.join(root, 'data'),
    BACKUP_DIR: path.join(root, 'backups'),
    OLLAMA_BASE_URL: ollama.url,
    QDRANT_URL: qdrant.url,
    QDRANT_API_KEY: 'qdrant-key',
    PLANKA_BASE_URL: planka.url,
    PLANKA_API_KEY: 'planka-key',
  };
});

afterEach(async () => {
  await Promise.all([telegram.close(), ollama.close(), qdrant.close(), planka.close()]);
  fs.rmSync(root, { recursive: true, force: true });
});

const doctor = (extra: Record<string, string> = {}): Promise<CheckResult[]> => runDoctor({ env: { ...env, ...extra }, envFile: path.join(root, '.env'), now });
const failures = (results: CheckResult[]): string[] => results.filter((r) => r.status === 'fail').map(formatResult);
const line = (results: CheckResult[], check: string): string => formatResult(results.find((r) => r.check === check) ?? { status: 'ok', check, found: 'absent' });

describe('doctor', () => {
  it('passes a healthy setup: no ❌, one line per check, and never contacts deep think', async () => {
    const results = await doctor({ DEEP_THINK_BASE_URL: 'http://127.0.0.1:9/v1', DEEP_THINK_API_KEY: 'k', DEEP_THINK_MODEL: 'm' });
    expect(failures(results)).toEqual([]);
    expect(line(results, 'Settings')).toBe('✅ Settings: all valid');
    expect(line(results, 'Database')).toMatch(/^✅ Database: embedded reachable, (\d+)\/\1 migrations applied$/);
    expect(line(results, 'Telegram polling')).toContain('nobody else is polling');
    expect(line(results, 'Ollama')).toBe('✅ Ollama: llama3.2:3b pulled; context 8192 of 131072');
    expect(line(results, 'Qdrant')).toMatch(/^⚠️ Qdrant: collection personal_memory does not exist yet/);
    expect(line(results, 'Planka')).toMatch(/^✅ Planka: signed in/);
    expect(line(results, 'Deep think')).toContain('not contacted by doctor');
    expect(line(results, 'Backups')).toMatch(/^✅ Backups: newest openzero-20261201T030000Z\.tar\.gz\.gpg, \d+ h old, encrypted/);
    expect(line(results, 'DATA_DIR')).toMatch(/^✅ DATA_DIR: .* is 700$/);
    expect(line(results, '.env')).toMatch(/^✅ \.env: .* is 600$/);
  });

  it('reports every bad setting at once, and the CLI exits non-zero', () => {
    const cli = spawnSync(process.execPath, [path.join(repo, 'dist/doctor/doctor-cli.js')], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', OLLAMA_NUM_CTX: 'lots', BACKUP_SCHEDULE: '25:99', HEALTH_PORT: '70000' },
    });
    expect(cli.status).toBe(1);
    const lines = cli.stdout.trim().split('\n');
    expect(lines.filter((l) => l.startsWith('❌ Settings: '))).toHaveLength(3);
    expect(cli.stdout).toContain('❌ Settings: OLLAMA_NUM_CTX: expected a whole number');
    expect(cli.stdout).toContain('fix BACKUP_SCHEDULE in .env');
  });

  it('names each broken service with its fix', async () => {
    fs.chmodSync(path.join(root, '.env'), 0o644);
    fs.chmodSync(path.join(root, 'data'), 0o755);
    const old = new Date(now.getTime() - 48 * 3_600_000);
    fs.writeFileSync(path.join(root, 'backups/openzero-20261201T030000Z.tar.gz.gpg'), 'x');
    fs.utimesSync(path.join(root, 'backups/openzero-20261201T030000Z.tar.gz.gpg'), old, old);
    const results = await doctor({ TELEGRAM_BOT_TOKEN: '123456:AAwrong-token-wrong-token-x', OLLAMA_MODEL: 'qwen2.5:7b', QDRANT_API_KEY: 'wrong', PLANKA_API_KEY: 'wrong' });
    expect(line(results, 'Telegram')).toContain('❌ Telegram: the bot token is rejected');
    expect(line(results, 'Ollama')).toBe('❌ Ollama: model qwen2.5:7b is not pulled (have: llama3.2:3b:latest) → ollama pull qwen2.5:7b'.replace('llama3.2:3b:latest', 'llama3.2:3b'));
    expect(line(results, 'Qdrant')).toContain('❌ Qdrant: the API key is rejected');
    expect(line(results, 'Planka')).toContain('❌ Planka: sign-in refused');
    expect(line(results, 'Backups')).toMatch(/❌ Backups: .*48 h old/);
    expect(line(results, 'DATA_DIR')).toContain('is 755: other users can read it → chmod -R go-rwx');
    expect(line(results, '.env')).toContain('→ chmod 600');
  });

  it('finds another poller, a webhook, a context too large, and services that are down', async () => {
    telegram.simulateConflict(true);
    const results = await doctor({ OLLAMA_NUM_CTX: '200000' });
    expect(line(results, 'Telegram polling')).toContain('❌ Telegram polling: another instance is polling with this token (409');
    expect(line(results, 'Ollama context')).toBe('❌ Ollama context: OLLAMA_NUM_CTX=200000 is more than llama3.2:3b\'s context of 131072 → set OLLAMA_NUM_CTX=131072 or less');
    telegram.simulateConflict(false);

    await fetch(`${telegram.apiRoot}/bot${telegram.token}/setWebhook`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: 'https://hooks.example.org/x' }) });
    await ollama.down();
    const second = await doctor();
    expect(line(second, 'Telegram webhook')).toContain('⚠️ Telegram webhook: a webhook is set (hooks.example.org)');
    expect(line(second, 'Ollama')).toMatch(/^❌ Ollama: not reachable at .* → start it/);
  });

  it('does not probe getUpdates when this machine\'s daemon is the poller', async () => {
    fs.writeFileSync(path.join(root, 'data/openzero.pid'), String(process.pid));
    const results = await doctor();
    expect(line(results, 'Telegram polling')).toContain(`pid ${process.pid}`);
    expect(telegram.callsTo('getUpdates')).toEqual([]);
  });
});
