import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama } from '../fakes/ollama.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const OWNER = { id: 4242, first_name: 'Olive', username: 'olive' };
const STRANGER = { id: 777, first_name: 'Mallory' };

describe.each(databaseKinds())('the daemon on %s', (kind) => {
  let telegram: FakeTelegram;
  let database: TestDatabase;
  let daemon: DaemonProcess | undefined;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    database = await createTestDatabase(kind);
  });

  afterEach(async () => {
    if (daemon) await stopDaemon(daemon);
    daemon = undefined;
    await telegram.close();
    await database.drop();
  });

  function launch(extra: Record<string, string> = {}): DaemonProcess {
    daemon = startDaemon(
      baseEnv({
        ...telegramEnv(telegram, OWNER.id),
        ...database.env,
        ...extra,
      }),
    );
    return daemon;
  }

  const ready = (d: DaemonProcess) => waitUntilReady(d, 60_000);
  const texts = (chatId: number) => telegram.botMessages(chatId).map((message) => message.text);

  it('answers the owner with /start, /help and /status, and registers the command menu', async () => {
    const d = launch();
    await ready(d);
    expect(telegram.callsTo('deleteWebhook').length).toBe(1);
    // The menu is sent beside the first poll, not before "ready" (start-up does not wait on it).
    await telegram.waitFor((fake) => fake.callsTo('setMyCommands').length >= 1, 60_000);
    expect(telegram.commands().map((command) => command.command)).toEqual(expect.arrayContaining(['start', 'help', 'status']));

    telegram.sendText(OWNER, '/start');
    telegram.sendText(OWNER, '/help');
    telegram.sendText(OWNER, '/status');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 3, 60_000);
    const [start, help, status] = texts(OWNER.id);
    expect(start).toContain('Z here, Olive');
    for (const command of telegram.commands()) {
      expect(help).toMatch(new RegExp(`^/${command.command}( \\S.*)? — ${command.description.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    }
    expect(status).toMatch(/openzero \d+\.\d+\.\d+ · up \d+/);
    expect(status).toContain(kind === 'pglite' ? 'Database: embedded (PGlite)' : 'Database: PostgreSQL');
    expect(status).toMatch(/migrations (\d+)\/\1 applied/);
    // The /status update itself is still pending while it is answered.
    expect(status).toContain('Queues: inbox 1 pending · outbox 0 pending');
    expect(status).toContain('Telegram polling: alive');
    expect(telegram.unexpected).toEqual([]);
  });

  it('ignores strangers completely and logs their id, never their text', async () => {
    const d = launch();
    await ready(d);
    telegram.sendText(STRANGER, '/start');
    telegram.sendText(STRANGER, 'my secret plan');
    telegram.sendText(OWNER, '/start');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 1, 60_000);
    await d.waitForLog((line) => line.msg === 'ignored update from someone who is not the owner' && line.userId === STRANGER.id);
    expect(telegram.botMessages(STRANGER.id)).toEqual([]);
    expect(d.stdout()).not.toContain('my secret plan');
  });

  it('pairs the first user who sends the one-time code, then ignores everyone else', async () => {
    const d = launch({ TELEGRAM_OWNER_ID: '' });
    const line = await d.waitForLog((l) => l.msg === 'no owner yet: waiting for the pairing code', 60_000);
    const code = String(line.pairingCode);
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    telegram.sendText(STRANGER, '/start WRONGCODE1');
    telegram.sendText(OWNER, `/start ${code}`);
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 1, 60_000);
    expect(texts(OWNER.id)[0]).toContain('Paired');
    telegram.sendText(STRANGER, `/start ${code}`);
    telegram.sendText(OWNER, '/start');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 2, 60_000);
    expect(telegram.botMessages(STRANGER.id)).toEqual([]);

    // The pairing survives a restart.
    await stopDaemon(d);
    const again = launch({ TELEGRAM_OWNER_ID: '' });
    await ready(again);
    expect(again.logs.some((l) => l.msg === 'no owner yet: waiting for the pairing code')).toBe(false);
    telegram.sendText(OWNER, '/help');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 3, 60_000);
  });

  it('tells the owner when handling fails, marks the update failed and keeps running', async () => {
    const d = launch();
    await ready(d);
    telegram.failNext('sendMessage', { error_code: 400, description: 'Bad Request: message thread not found' });
    telegram.sendText(OWNER, '/start');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 1, 60_000);
    expect(texts(OWNER.id)[0]).toMatch(/^Something went wrong handling that: .*message thread not found/);
    await d.waitForLog((line) => line.msg === 'update handler failed');
    telegram.sendText(OWNER, '/start');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 2, 60_000);
    expect(texts(OWNER.id)[1]).toContain('Z here');
  });

  it('waits out a 429 with retry_after and falls back to plain text when entities are rejected', async () => {
    const d = launch();
    await ready(d);
    telegram.rateLimit('sendMessage', 1, 1);
    telegram.sendText(OWNER, '/start');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 1, 60_000);
    const attempts = telegram.callsTo('sendMessage');
    expect(attempts.length).toBe(2);
    expect(attempts[1]!.time - attempts[0]!.time).toBeGreaterThanOrEqual(900);

    telegram.failNext('sendMessage', { error_code: 400, description: "Bad Request: can't parse entities: Unsupported start tag \"x\" at byte offset 0" });
    telegram.sendText(OWNER, '/help');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).length >= 2, 60_000);
    const last = telegram.callsTo('sendMessage').at(-1)!;
    expect(last.payload.parse_mode).toBeUndefined();
    expect(String(last.payload.text)).toContain('/status — ');
    expect(String(last.payload.text)).not.toContain('<b>');
  });

  it('splits a long model answer into several messages, each within Telegram\'s limit, losing nothing', async () => {
    const ollama = await startFakeOllama({ models: ['llama3.2:3b'] });
    try {
      const paragraphs = Array.from({ length: 40 }, (_, i) => `Step ${i}: **bold** <tag> & ${'detail '.repeat(45)}`.trim());
      ollama.script({ text: paragraphs.join('\n\n'), chunks: 20 });
      const d = launch({ OLLAMA_BASE_URL: ollama.url });
      await ready(d);
      telegram.sendText(OWNER, 'Give me the full plan');
      await telegram.waitFor((fake) => fake.botMessages(OWNER.id).filter((m) => m.text.includes('Step 39:')).length > 0, 60_000);
      const messages = telegram.botMessages(OWNER.id).filter((m) => !m.deleted && /Step \d+:/.test(m.text));
      expect(messages.length).toBeGreaterThanOrEqual(3);
      for (const message of messages) expect(message.text.length).toBeLessThanOrEqual(4096);
      const all = messages.map((m) => m.text).join('\n');
      for (let i = 0; i < 40; i += 1) expect(all).toContain(`Step ${i}: bold <tag> &`);
    } finally {
      await ollama.close();
    }
  });

  it('answers /health, and exits 0 on SIGTERM', async () => {
    const d = launch();
    const line = await ready(d);
    const response = await fetch(`http://127.0.0.1:${String(line.healthPort)}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', database: true, polling: 'alive' });
    d.kill('SIGTERM');
    expect(await d.exited).toEqual({ code: 0, signal: null });
    await d.waitForLog((l) => l.msg === 'openzero stopped');
  });

  it('stops with a clear message when another instance polls (409)', async () => {
    telegram.simulateConflict(true);
    const d = launch();
    const { code } = await d.exited;
    expect(code).toBe(1);
    expect(d.stderr()).toContain('409 Conflict');
    expect(d.stderr()).toContain('Another process is polling with this bot token');
  });
});

describe('start-up checks', () => {
  it('stops on a rejected token (401) with a message that says so', async () => {
    const telegram = await startFakeTelegram();
    const database = await createTestDatabase('pglite');
    try {
      const d = startDaemon(baseEnv({ TELEGRAM_BOT_TOKEN: '123456789:AAWrongTokenWrongTokenWrongToken', TELEGRAM_API_ROOT: telegram.apiRoot, ...database.env }));
      const { code } = await d.exited;
      expect(code).toBe(1);
      expect(d.stderr()).toContain('Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized)');
      expect(d.stderr()).not.toContain('AAWrongToken');
    } finally {
      await telegram.close();
      await database.drop();
    }
  });

  it('refuses a second daemon on the same data folder while the first runs', async () => {
    const database = await createTestDatabase('pglite');
    try {
      const first = startDaemon(baseEnv({ TERMINAL: 'on', ...database.env }));
      await first.waitForText('Terminal channel', 60_000);
      const second = startDaemon(baseEnv({ TERMINAL: 'on', ...database.env }));
      const { code } = await second.exited;
      expect(code).toBe(1);
      expect(second.stderr()).toContain(`Another openzero process (pid ${first.child.pid}) is running with DATA_DIR`);
      first.child.stdin.end();
      expect((await first.exited).code).toBe(0);
    } finally {
      await database.drop();
    }
  });

  it('reports every bad setting at once, by name, before anything starts', async () => {
    const d = startDaemon(
      baseEnv({ TELEGRAM_BOT_TOKEN: 'nonsense', HEALTH_PORT: '99999', USER_TIMEZONE: 'Mars/Olympus', DATABASE_URL: 'mysql://x', DEEP_THINK_MODEL: 'gpt' }),
    );
    const { code } = await d.exited;
    expect(code).toBe(78);
    const err = d.stderr();
    for (const key of ['TELEGRAM_BOT_TOKEN', 'HEALTH_PORT', 'USER_TIMEZONE', 'DATABASE_URL', 'DEEP_THINK_BASE_URL', 'DEEP_THINK_API_KEY']) {
      expect(err).toContain(`${key}:`);
    }
  });

  it('without a token and without a terminal, explains how to configure Telegram and exits non-zero', async () => {
    const d = startDaemon(baseEnv({ TERMINAL: 'auto' }));
    const { code } = await d.exited;
    expect(code).toBe(78);
    expect(d.stderr()).toContain('Telegram is not configured: TELEGRAM_BOT_TOKEN is not set');
  });

  it('offers the terminal channel without a token, with the same commands', async () => {
    const database = await createTestDatabase('pglite');
    try {
      const d = startDaemon(baseEnv({ TERMINAL: 'on', ...database.env }));
      await d.waitForText('Terminal channel', 60_000);
      expect(d.stdout()).toContain('Telegram is not configured (TELEGRAM_BOT_TOKEN is not set), so openzero talks to you here');
      // Already in the terminal channel: no advice to go and open one.
      expect(d.stdout()).not.toContain('interactive terminal');
      d.write('/help\n');
      await d.waitForText('/status — ');
      d.write('/status\n');
      await d.waitForText('Telegram polling: off');
      d.child.stdin.end();
      expect((await d.exited).code).toBe(0);
    } finally {
      await database.drop();
    }
  });
});
