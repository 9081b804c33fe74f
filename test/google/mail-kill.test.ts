import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { saveTokens } from '../../src/google/stored-tokens.js';
import { silentLogger } from '../../src/log/index.js';
import { addRule } from '../../src/mail/rules-repo.js';
import { CredentialStore, parseSecretKey } from '../../src/secrets/index.js';
import { startFakeGoogle, type FakeGoogle } from '../fakes/google.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const CHILD = path.join(import.meta.dirname, 'fixtures/mail-poll-child.mjs');
const OWNER = { id: 6161, first_name: 'Olive' };
const KEY = 'b'.repeat(64);
// PostgreSQL when this run has it, else PGlite (both pass: PGlite recovers its folder after the kill).
const KIND = databaseKinds().includes('postgres') ? 'postgres' : 'pglite';

let google: FakeGoogle;
let telegram: FakeTelegram;
let database: TestDatabase;
let dir: string;

interface Child {
  pid: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>;
}

function startChild(): Child {
  const input = {
    database: database.settings,
    secretKey: KEY,
    client: { clientId: google.clientId, clientSecret: google.clientSecret },
    tokenUrl: google.tokenUrl,
    apiRoot: google.apiRoot,
    telegram: { token: telegram.token, apiRoot: telegram.apiRoot },
    ownerChatId: OWNER.id,
    receiptsFile: path.join(dir, 'outbox-receipts.jsonl'),
  };
  const child = spawn(process.execPath, [CHILD, JSON.stringify(input)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => (code !== 0 && signal === null ? reject(new Error(`poll child exited ${code}: ${stderr}`)) : resolve({ code, signal, stdout })));
  });
  if (child.pid === undefined) throw new Error('poll child did not start');
  return { pid: child.pid, exited };
}

async function withDb<T>(use: (opened: OpenDatabase) => Promise<T>): Promise<T> {
  const opened = await openDatabase(database.settings, silentLogger());
  try {
    return await use(opened);
  } finally {
    await opened.close();
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms).unref())]);
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-mail-kill-'));
  google = await startFakeGoogle();
  telegram = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name }] });
  database = await createTestDatabase(KIND);
  await withDb(async ({ db }) => {
    const migrated = await migrateToLatest(db);
    if (!migrated.ok) throw new Error(migrated.reason);
    const key = parseSecretKey(KEY);
    if (!key.ok) throw new Error(key.error);
    await saveTokens(new CredentialStore(db, [key.key]), { refresh_token: google.refreshToken });
    await addRule(db, { from: 'school.example.org', subject: null, action: 'urgent' });
  });
});

afterAll(async () => {
  await Promise.all([google.close(), telegram.close()]);
  await database.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it(`a poll process killed with SIGKILL mid-poll loses no mail and notifies none twice after a restart (${KIND})`, async () => {
  const urgent = new Set([1, 3, 4, 6]);
  const mails = Array.from({ length: 8 }, (_, i) =>
    google.deliver({ from: urgent.has(i) ? `Teacher ${i} <t${i}@school.example.org>` : `friend${i}@example.com`, subject: `Mail number ${i}`, snippet: `text ${i}` }),
  );
  // The poll stops inside the metadata read of one message, with the others in flight or done.
  const held = google.hold(`/messages/${mails[5]?.id ?? ''}`);
  const first = startChild();
  await within(held.reached, 60_000, 'the first poll to reach the held message');
  // Kill once the other lanes have finished every other mail, so the only work in flight is the
  // held read. (A kill that lands while an alert is on the wire, after Telegram took it and
  // before its answer reached the process, cannot be told from one that never went out: no
  // sender can make that exactly-once, so this test does not aim its kill there.)
  const heldId = mails[5]?.id ?? '';
  await within(
    (async () => {
      const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
      if (KIND === 'pglite') {
        // The child holds the embedded database: watch Telegram instead, then let the last answer land.
        while (telegram.botMessages(OWNER.id).filter((m) => m.text.startsWith('🚨')).length < urgent.size) await pause(100);
        await pause(2_000);
        return;
      }
      for (;;) {
        const rows = await withDb(({ db }) => db.selectFrom('email_seen').select(['message_id', 'state']).execute());
        const others = rows.filter((r) => r.message_id !== heldId);
        if (others.length === mails.length - 1 && others.every((r) => r.state === 'done')) return;
        await pause(100);
      }
    })(),
    60_000,
    'every other mail to be finished',
  );
  process.kill(first.pid, 'SIGKILL');
  const killed = await within(first.exited, 30_000, 'the killed poll to exit');
  expect(killed.signal).toBe('SIGKILL');
  expect(killed.stdout).toBe('');
  held.release();

  const afterKill = await withDb(({ db }) => db.selectFrom('email_seen').select(['message_id', 'state']).execute());
  // Every id was recorded before the cursor moved, and the kill left work undone.
  expect(afterKill.map((r) => r.message_id).sort()).toEqual(mails.map((m) => m.id).sort());
  expect(afterKill.filter((r) => r.state === 'new' || r.state === 'notifying').length).toBeGreaterThan(0);

  // Mail arriving while the poller is down is found too.
  const late = google.deliver({ from: 'Head <head@school.example.org>', subject: 'Mail number 8', snippet: 'late' });
  const second = await within(startChild().exited, 60_000, 'the restarted poll');
  expect(JSON.parse(second.stdout)).toMatchObject({ kind: 'polled', left: 0 });

  const all = [...mails, late];
  await withDb(async ({ db }) => {
    const seen = await db.selectFrom('email_seen').select(['message_id', 'state']).execute();
    expect(seen.map((r) => [r.message_id, r.state]).sort()).toEqual(all.map((m) => [m.id, 'done']).sort());
    const triage = await db.selectFrom('email_summaries').select(['message_id', 'action']).execute();
    expect(triage).toHaveLength(all.length);
    expect(triage.filter((t) => t.action === 'urgent')).toHaveLength(urgent.size + 1);
  });
  // Each urgent mail reached the owner exactly once, across the kill and the restart.
  const alerts = telegram.botMessages(OWNER.id).filter((m) => m.text.startsWith('🚨'));
  for (const subject of [...[...urgent].map((i) => `Mail number ${i}`), 'Mail number 8']) {
    expect(alerts.filter((m) => m.text.includes(`Subject: ${subject}\n`) || m.text.endsWith(`Subject: ${subject}`))).toHaveLength(1);
  }
  expect(alerts).toHaveLength(urgent.size + 1);

  // A third run with nothing new costs one Gmail call.
  const before = google.apiCalls().length;
  const third = await within(startChild().exited, 60_000, 'the idle poll');
  expect(JSON.parse(third.stdout)).toMatchObject({ kind: 'polled', discovered: 0, processed: 0 });
  expect(google.apiCalls().slice(before).map((c) => c.path)).toEqual(['/gmail/v1/users/me/history']);
  expect(google.unexpected()).toEqual([]);
});
