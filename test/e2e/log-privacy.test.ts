import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai.js';
import { startFakePlanka, type FakePlanka } from '../fakes/planka.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/qdrant.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { botMessageMatching, buttonData, OWNER, withText } from './assistant-support.js';

/**
 * The logging promise, end to end: a whole session with Telegram network errors, Ollama
 * errors, a 400 on send and a cloud call, then every line the daemon wrote is searched for the
 * bot token, every secret setting and every message text of the session. None may appear.
 */
const TOKEN = '7123456789:AAHlogPrivacyToken_x9Yq2Wv7Zr4Kt1Mn8';
const SECRETS = {
  PLANKA_PASSWORD: 'planka-pw-Vq8"Lx\\3m',
  QDRANT_API_KEY: 'qdrant-key-H7tR2pXw9',
  DEEP_THINK_API_KEY: 'sk-cloud-key-K4nB8vQ1zT',
};
const TEXTS = {
  hello: 'nasturtium-ALPHA my neighbour Gretchen owes me 340 euros',
  helloAnswer: 'wisteria-BRAVO noted, Gretchen and the 340 euros',
  down: 'hollyhock-CHARLIE please remember the locksmith code 5521',
  refused: 'foxglove-DELTA what is my passport renewal date',
  refusedAnswer: 'lupine-ECHO the passport renewal is on the 14th',
  think: 'snapdragon-FOXTROT should I sell the orchard plot',
  thinkAnswer: 'marigold-GOLF keep the plot another year',
  dropped: 'peony-HOTEL a message whose reply is cut once',
  droppedAnswer: 'zinnia-INDIA answer sent after a network error',
};

let telegram: FakeTelegram;
let ollama: FakeOllama;
let cloud: FakeOpenAi;
let planka: FakePlanka;
let qdrant: FakeQdrant;
let database: TestDatabase;
let daemon: DaemonProcess | undefined;

beforeAll(async () => {
  telegram = await startFakeTelegram({ token: TOKEN });
  ollama = await startFakeOllama();
  cloud = await startFakeOpenAi({ apiKey: SECRETS.DEEP_THINK_API_KEY, models: ['gpt-4o-mini'] });
  planka = await startFakePlanka({ users: [{ username: 'olive', password: SECRETS.PLANKA_PASSWORD, termsAccepted: true }] });
  qdrant = await startFakeQdrant({ apiKey: SECRETS.QDRANT_API_KEY });
  database = await createTestDatabase('pglite');
});

afterAll(async () => {
  if (daemon) await stopDaemon(daemon);
  await telegram.close();
  await ollama.close();
  await cloud.close();
  await planka.close();
  await qdrant.close();
  await database.drop();
});

describe('logs during a whole session with failures', () => {
  it('never contain the token, a secret setting or a message text', async () => {
    daemon = startDaemon(
      baseEnv({
        ...telegramEnv(telegram, OWNER.id),
        ...database.env,
        LOG_LEVEL: 'trace',
        OLLAMA_BASE_URL: ollama.url,
        DEEP_THINK_BASE_URL: cloud.baseUrl,
        DEEP_THINK_API_KEY: SECRETS.DEEP_THINK_API_KEY,
        DEEP_THINK_MODEL: 'gpt-4o-mini',
        PLANKA_BASE_URL: planka.url,
        PLANKA_USERNAME: 'olive',
        PLANKA_PASSWORD: SECRETS.PLANKA_PASSWORD,
        QDRANT_URL: qdrant.url,
        QDRANT_API_KEY: SECRETS.QDRANT_API_KEY,
        ALLOW_REMOTE_MODELS: 'false',
      }),
    );
    const d = daemon;
    await waitUntilReady(d, 90_000);

    // A plain exchange.
    ollama.script({ text: TEXTS.helloAnswer });
    telegram.sendText(OWNER, TEXTS.hello);
    await botMessageMatching(telegram, withText(TEXTS.helloAnswer), 60_000);

    // Telegram network errors: polling is cut twice, then a reply is cut once and retried.
    telegram.dropNext('getUpdates', 2);
    await d.waitForLog((line) => line.msg === 'telegram polling failed; retrying', 60_000);
    telegram.dropNext('sendMessage', 1);
    ollama.script({ text: TEXTS.droppedAnswer });
    telegram.sendText(OWNER, TEXTS.dropped);
    await botMessageMatching(telegram, withText(TEXTS.droppedAnswer), 60_000);

    // Ollama errors: a 500, then Ollama down.
    ollama.script({ status: 500, error: "llama runner process has terminated: exit status 2" });
    telegram.sendText(OWNER, TEXTS.down);
    await botMessageMatching(telegram, (message) => message.text.includes('⚠️') && message.message_id > 0, 60_000);
    await ollama.down();
    telegram.sendText(OWNER, `${TEXTS.down} again`);
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).filter((message) => message.text.includes('⚠️')).length >= 2, 60_000);
    await ollama.up();

    // A 400 on send: the answer cannot be delivered.
    ollama.script({ text: TEXTS.refusedAnswer });
    telegram.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found' });
    telegram.sendText(OWNER, TEXTS.refused);
    await d.waitForLog((line) => line.msg === 'update handler failed', 60_000);

    // A cloud call, with its API key.
    cloud.script({ text: TEXTS.thinkAnswer });
    telegram.sendText(OWNER, `/think ${TEXTS.think}`);
    const disclosure = await botMessageMatching(telegram, withText('Deep think: this would leave your machine'), 60_000);
    telegram.pressButton(OWNER, OWNER.id, disclosure.message_id, buttonData(disclosure, 'Send question only'));
    await botMessageMatching(telegram, withText(TEXTS.thinkAnswer), 60_000);

    await stopDaemon(d);
    const output = `${d.stdout()}\n${d.stderr()}`;
    const lines = output.split('\n').filter((line) => line.trim() !== '');
    expect(d.logs.length).toBeGreaterThan(10);
    // The failures really happened and were logged (with their errors).
    expect(d.logs.some((line) => line.msg === 'telegram polling failed; retrying' && typeof line.err === 'object')).toBe(true);
    expect(d.logs.some((line) => line.msg === 'llm chat failed')).toBe(true);
    expect(d.logs.some((line) => line.msg === 'update handler failed' && JSON.stringify(line.err).includes('chat not found'))).toBe(true);

    const forbidden = [TOKEN, TOKEN.split(':')[1] ?? TOKEN, ...Object.values(SECRETS), JSON.stringify(SECRETS.PLANKA_PASSWORD).slice(1, -1), ...Object.values(TEXTS)];
    for (const value of forbidden) {
      const hits = lines.filter((line) => line.includes(value));
      expect(hits, value).toEqual([]);
    }
    // Nor a distinctive word of any text (a text cut or reflowed still leaks its words).
    for (const text of Object.values(TEXTS)) {
      const marker = text.split(' ')[0] ?? text;
      expect(lines.filter((line) => line.includes(marker)), marker).toEqual([]);
    }
  });
});
