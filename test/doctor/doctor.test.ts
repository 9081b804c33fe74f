import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { runDoctor, formatResult, type CheckResult } from '../../src/doctor/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/qdrant.js';
import { startFakePlanka, type FakePlanka } from '../fakes/planka.js';
import { startFakeGoogle } from '../fakes/google.js';
import { openDatabase } from '../../src/db/index.js';
import { saveTokens } from '../../src/google/stored-tokens.js';
import { silentLogger } from '../../src/log/index.js';
import { CredentialStore, parseSecretKey } from '../../src/secrets/index.js';

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
    expect(line(results, 'Planka role')).toBe('✅ Planka role: api is admin: may create the openzero project');
    expect(line(results, 'Google')).toBe('✅ Google: not configured: mail and calendar are off');
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

  it('Planka: a Board User (the role Planka gives new users) cannot create projects, and the CLI exits non-zero', async () => {
    await planka.close();
    planka = await startFakePlanka({ users: [{ username: 'admin', password: 'admin-pass-1', termsAccepted: true }, { username: 'zuser', password: 'z-pass-123', termsAccepted: true }] });
    const results = await doctor({ PLANKA_BASE_URL: planka.url, PLANKA_API_KEY: '', PLANKA_USERNAME: 'zuser', PLANKA_PASSWORD: 'z-pass-123' });
    expect(line(results, 'Planka')).toMatch(/^✅ Planka: signed in/);
    expect(line(results, 'Planka role')).toBe('❌ Planka role: zuser is a Board User (Planka\'s default for new users): it may not create projects, so every task write is refused → in Planka, Settings → Users, give this user the Project Owner or Admin role');
    expect(planka.requests.filter((r) => r.path === '/api/users/me').map((r) => r.status)).toEqual([200]);

    // Asynchronously: the fakes answer from this process's event loop.
    const cli = await runCli({ PATH: process.env.PATH ?? '', ...env, QDRANT_URL: '', QDRANT_API_KEY: '', PLANKA_BASE_URL: planka.url, PLANKA_API_KEY: '', PLANKA_USERNAME: 'zuser', PLANKA_PASSWORD: 'z-pass-123' });
    expect(cli.stdout).toContain('❌ Planka role: zuser is a Board User');
    expect(cli.stdout.split('\n').filter((l) => l.startsWith('❌'))).toEqual([expect.stringContaining('❌ Planka role')]);
    expect(cli.status).toBe(1);

    for (const user of planka.state.users.values()) user.role = 'projectOwner';
    expect(line(await doctor({ PLANKA_BASE_URL: planka.url, PLANKA_API_KEY: '', PLANKA_USERNAME: 'zuser', PLANKA_PASSWORD: 'z-pass-123' }), 'Planka role')).toBe('✅ Planka role: zuser is projectOwner: may create the openzero project');
  });

  it('Qdrant: a collection of the wrong vector size, a missing key and a rejected key', async () => {
    const create = await fetch(`${qdrant.url}/collections/personal_memory`, { method: 'PUT', headers: { 'content-type': 'application/json', 'api-key': 'qdrant-key' }, body: JSON.stringify({ vectors: { size: 768, distance: 'Cosine' } }) });
    expect(create.status).toBe(200);
    expect(line(await doctor(), 'Qdrant')).toBe('❌ Qdrant: collection personal_memory holds 768-dimensional vectors, the model makes 384 → set QDRANT_COLLECTION to a new name, then npm run reindex');
    expect(line(await doctor({ QDRANT_API_KEY: '' }), 'Qdrant')).toMatch(/^❌ Qdrant: the API key is missing \(401\) → set QDRANT_API_KEY/);
    expect(line(await doctor({ QDRANT_API_KEY: 'not-the-key' }), 'Qdrant')).toMatch(/^❌ Qdrant: the API key is rejected \(401\)/);
    const right = await fetch(`${qdrant.url}/collections/right_size`, { method: 'PUT', headers: { 'content-type': 'application/json', 'api-key': 'qdrant-key' }, body: JSON.stringify({ vectors: { size: 384, distance: 'Cosine' } }) });
    expect(right.status).toBe(200);
    expect(line(await doctor({ QDRANT_COLLECTION: 'right_size' }), 'Qdrant')).toBe('✅ Qdrant: collection right_size, vectors of 384, key accepted');
  });

  it('Google: token validity and expiry, each failure on purpose', async () => {
    const google = await startFakeGoogle();
    try {
      const key = randomHexKey();
      const googleEnv = { GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.clientSecret, GOOGLE_TOKEN_URL: google.tokenUrl, GOOGLE_API_ROOT: google.apiRoot, OPENZERO_SECRET_KEY: key };
      const only = async (extra: Record<string, string> = {}): Promise<string[]> =>
        (await doctor({ ...googleEnv, ...extra })).filter((r) => r.check.startsWith('Google')).map(formatResult);

      expect(await only()).toEqual(['⚠️ Google: configured but not connected yet: no token is stored → on the server run npm run google:auth (send /google for the ssh -L steps), then restart openzero']);

      const opened = await openDatabase({ kind: 'embedded', dataDir: path.join(root, 'data/pglite') }, silentLogger());
      const parsed = parseSecretKey(key);
      if (!parsed.ok) throw new Error(parsed.error);
      await saveTokens(new CredentialStore(opened.db, [parsed.key]), { refresh_token: google.refreshToken });
      await opened.close();

      // Published app: no time limit on the refresh token.
      expect(await only()).toEqual([expect.stringMatching(/^✅ Google: token valid; access renewed, good for 60 min$/), '✅ Google expiry: the refresh token does not expire by time (the app is published)']);
      // An app left in "Testing": Google grants time-based access.
      google.refreshTokenLifetime(6 * 86_400 + 3600);
      expect((await only())[1]).toMatch(/^⚠️ Google expiry: the refresh token expires \d{4}-\d\d-\d\d \d\d:\d\d UTC \(in 6 days\): the OAuth app is in "Testing" → publish the app/);
      google.refreshTokenLifetime(undefined);
      // Calendar write on, but the grant is the read-only one.
      expect(await only({ GOOGLE_CALENDAR_WRITE: 'true' })).toContain('⚠️ Google scopes: the grant lacks calendar.events: GOOGLE_CALENDAR_WRITE is on but moves will fail → on the server run npm run google:auth (send /google for the ssh -L steps), then restart openzero');

      expect((await only({ GOOGLE_CLIENT_SECRET: 'GOCSPX-wrong' }))[0]).toBe('❌ Google: Google refused the OAuth client (invalid_client: The OAuth client was not found.) → copy the Desktop client id and secret again from Google Cloud console → Credentials into GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET (or GOOGLE_CREDENTIALS_FILE)');
      expect((await only({ OPENZERO_SECRET_KEY: randomHexKey() }))[0]).toMatch(/^❌ Google: the stored tokens open with neither OPENZERO_SECRET_KEY nor OPENZERO_SECRET_KEY_PREVIOUS/);
      expect((await only({ GOOGLE_TOKEN_URL: 'http://127.0.0.1:9/token' }))[0]).toMatch(/^❌ Google: the token endpoint did not answer \(.+\) → check the network, or GOOGLE_TOKEN_URL/);

      google.revokeRefreshToken();
      expect(await only()).toEqual(['❌ Google: the refresh token is refused (invalid_grant: Token has been expired or revoked.) → on the server run npm run google:auth (send /google for the ssh -L steps), then restart openzero']);

      // The daemon holds the embedded database: the CLI does not open it, /doctor in chat does.
      fs.writeFileSync(path.join(root, 'data/openzero.pid'), String(process.pid));
      expect(await only()).toEqual(['⚠️ Google: not checked: the running daemon holds the embedded database → send /doctor in chat: it runs this check inside the daemon']);
      // /doctor in chat hands the daemon's own database in.
      const daemonDb = await openDatabase({ kind: 'embedded', dataDir: path.join(root, 'data/pglite') }, silentLogger());
      try {
        const inChat = await runDoctor({ env: { ...env, ...googleEnv }, envFile: path.join(root, '.env'), now, db: daemonDb.db });
        expect(inChat.filter((r) => r.check.startsWith('Google')).map(formatResult)).toEqual([expect.stringMatching(/^❌ Google: the refresh token is refused \(invalid_grant/)]);
      } finally {
        await daemonDb.close();
      }
      expect(google.apiCalls()).toEqual([]);
    } finally {
      await google.close();
    }
  });
});

function runCli(cliEnv: Record<string, string>): Promise<{ status: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repo, 'dist/doctor/doctor-cli.js')], { cwd: root, env: cliEnv, stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout }));
  });
}

function randomHexKey(): string {
  return Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(Math.random() * 16)]).join('');
}
