import { afterEach, describe, expect, it } from 'vitest';
import { startFakeOllama } from '../fakes/ollama.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, telegramEnv, waitUntilReady, type DaemonProcess } from '../support/daemon.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const OWNER = { id: 4242, first_name: 'Olive' };

describe('/doctor in chat', () => {
  let telegram: FakeTelegram | undefined;
  let database: TestDatabase | undefined;
  let daemon: DaemonProcess | undefined;
  let closeOllama: (() => Promise<void>) | undefined;

  afterEach(async () => {
    if (daemon) await stopDaemon(daemon);
    await telegram?.close();
    await closeOllama?.();
    await database?.drop();
  });

  it('runs the doctor checks inside the daemon without cutting off its own polling or opening its database twice', async () => {
    telegram = await startFakeTelegram();
    const ollama = await startFakeOllama();
    closeOllama = () => ollama.close();
    database = await createTestDatabase('pglite');
    daemon = startDaemon(baseEnv({ ...telegramEnv(telegram, OWNER.id), ...database.env, OLLAMA_BASE_URL: ollama.url }));
    await waitUntilReady(daemon, 60_000);

    telegram.sendText(OWNER, '/doctor');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).some((m) => m.text.startsWith('Doctor:')), 60_000);
    const report = telegram.botMessages(OWNER.id).find((m) => m.text.startsWith('Doctor:'))?.text ?? '';
    expect(report).toContain('✅ Settings');
    expect(report).toMatch(/Database.*open in the running daemon/);
    expect(report).toMatch(/Telegram/);
    expect(report).not.toMatch(/another instance|409/i);

    // Still polling, still answering.
    telegram.sendText(OWNER, '/start');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).some((m) => m.text.includes('Z here')), 60_000);
    expect(telegram.unexpected).toEqual([]);
  });
});
