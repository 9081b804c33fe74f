import { createHash } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeOpenAi, type FakeOpenAi } from '../fakes/openai.js';
import { startFakeTelegram, type FakeTelegram, type StoredMessage } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { botMessageMatching, buttonData, messagesOf, OWNER, withText } from './assistant-support.js';

const API_KEY = 'sk-test-deep-think-key-0123456789';
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Every request the fake cloud received must match a payload the owner approved (audit log). */
const approvedHashes = new Set<string>();
let cloud: FakeOpenAi;

beforeAll(async () => {
  cloud = await startFakeOpenAi({ apiKey: API_KEY, models: ['gpt-4o-mini'] });
});

afterAll(async () => {
  // The privacy test, across the whole file: nothing reached the cloud that was not approved.
  for (const request of cloud.requests) {
    expect(request.path).toBe('/v1/chat/completions');
    expect(approvedHashes.has(sha256(request.rawBody))).toBe(true);
  }
  expect(cloud.unexpected).toEqual([]);
  await cloud.close();
});

describe.each(databaseKinds())('deep think on %s', (kind) => {
  let telegram: FakeTelegram;
  let ollama: FakeOllama;
  let database: TestDatabase;
  let daemon: DaemonProcess | undefined;
  let cloudBefore = 0;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    ollama = await startFakeOllama();
    database = await createTestDatabase(kind);
    cloudBefore = cloud.requests.length;
  });

  afterEach(async () => {
    if (daemon) await stopDaemon(daemon);
    daemon = undefined;
    // Collect what the owner approved, as the audit log recorded it, with the bytes that left.
    const opened = await openDatabase(database.settings, silentLogger());
    try {
      await migrateToLatest(opened.db);
      const rows = await opened.db.selectFrom('audit_log').selectAll().where('action', 'like', 'cloud:%').execute();
      const sent = cloud.requests.slice(cloudBefore);
      for (const row of rows) {
        const hash = typeof row.detail.sha256 === 'string' ? row.detail.sha256 : '';
        approvedHashes.add(hash);
        expect(row.destination).toBe(new URL(cloud.url).host);
        if (row.action === 'cloud:deep-think') {
          const match = sent.find((request) => sha256(request.rawBody) === hash);
          expect(match?.bodyBytes).toBe(row.bytes_out);
          expect(row.bytes_in).toBeGreaterThan(0);
        }
      }
    } finally {
      await opened.close();
    }
    await telegram.close();
    await ollama.close();
    await database.drop();
  });

  async function launch(extra: Record<string, string> = {}): Promise<DaemonProcess> {
    daemon = startDaemon(
      baseEnv({
        ...telegramEnv(telegram, OWNER.id),
        OLLAMA_BASE_URL: ollama.url,
        DEEP_THINK_BASE_URL: cloud.baseUrl,
        DEEP_THINK_API_KEY: API_KEY,
        DEEP_THINK_MODEL: 'gpt-4o-mini',
        ...database.env,
        ...extra,
      }),
    );
    await waitUntilReady(daemon, 60_000);
    return daemon;
  }

  async function disclosureFor(question: string): Promise<StoredMessage> {
    telegram.sendText(OWNER, 'We discussed apples and the orchard budget of 4000 euros');
    await botMessageMatching(telegram, withText('Echo: We discussed apples'));
    telegram.sendText(OWNER, `/think ${question}`);
    return botMessageMatching(telegram, withText('Deep think: this would leave your machine'));
  }

  /** The request body the owner was shown for one option: its pages just before the request, joined. */
  function disclosedBody(request: StoredMessage, option: 'Send with context' | 'Send question only'): string {
    const heading = `📄 Deep think, “${option}”: the exact request body (`;
    const pages = telegram
      .botMessages(OWNER.id)
      .filter((message) => message.message_id < request.message_id && message.text.startsWith(heading))
      .sort((a, b) => a.message_id - b.message_id);
    const last = pages.at(-1);
    const count = Number(/part \d+ of (\d+):/.exec(last?.text ?? '')?.[1] ?? 0);
    expect(count).toBeGreaterThan(0);
    const shown = pages.slice(-count);
    shown.forEach((page, index) => expect(page.text.split('\n')[0]).toContain(`part ${index + 1} of ${count}:`));
    return shown.map((page) => page.text.slice(page.text.indexOf('\n') + 1)).join('');
  }

  function disclosedBytes(message: StoredMessage, option: 'Send with context' | 'Send question only'): number {
    const match = new RegExp(`${option}: (\\d+) bytes`).exec(message.text);
    if (!match?.[1]) throw new Error(`no byte count for ${option} in: ${message.text}`);
    return Number(match[1]);
  }

  it('discloses provider, model, host, items and exact bytes, and sends exactly that after "Send with context"', async () => {
    await launch();
    const question = 'How should I plan the orchard?';
    const disclosure = await disclosureFor(question);
    expect(disclosure.text).toContain('gpt-4o-mini');
    expect(disclosure.text).toContain(new URL(cloud.url).host);
    expect(disclosure.text).toContain('This conversation: last 2 messages');
    expect(disclosure.text).toContain('Nothing leaves this machine until you tap');
    const bytes = disclosedBytes(disclosure, 'Send with context');
    expect(cloud.requests.length).toBe(cloudBefore);

    cloud.script({ text: 'Plant in spring; budget 60% trees, 40% irrigation.', interChunkDelayMs: 30 });
    telegram.pressButton(OWNER, OWNER.id, disclosure.message_id, buttonData(disclosure, 'Send with context'));
    await botMessageMatching(telegram, withText('🧠 Plant in spring'));
    const sent = cloud.chatRequests().slice(-1)[0];
    expect(cloud.chatRequests().length).toBe(cloudBefore + 1);
    expect(sent?.bodyBytes).toBe(bytes);
    expect(sent?.rawBody).toContain('apples');
    expect(sent?.rawBody).toContain(question);
    expect(sent?.authorized).toBe(true);
    // The privacy promise: what the owner was shown is what arrived, byte for byte.
    expect(disclosedBody(disclosure, 'Send with context')).toBe(sent?.rawBody);
    expect(Buffer.byteLength(disclosedBody(disclosure, 'Send with context'), 'utf8')).toBe(bytes);
    expect(Object.keys(sent?.headers ?? {}).filter((name) => name.startsWith('x-stainless'))).toEqual([]);
    await telegram.waitFor((fake) => fake.message(OWNER.id, disclosure.message_id)?.text.includes(`Sent ${bytes} bytes to`) ?? false, 60_000);
    // The draft carries the final message's 🧠 mark, so the final message continues it.
    expect(telegram.drafts(OWNER.id).some((draft) => draft.text.startsWith('🧠 Plant'))).toBe(true);
  });

  it('"Send question only" sends the question without any context, at the disclosed size', async () => {
    await launch();
    const question = 'Is a 4000 euro orchard sensible?';
    const disclosure = await disclosureFor(question);
    const bytes = disclosedBytes(disclosure, 'Send question only');
    telegram.pressButton(OWNER, OWNER.id, disclosure.message_id, buttonData(disclosure, 'Send question only'));
    await botMessageMatching(telegram, withText('🧠 Echo: Is a 4000 euro orchard sensible?'));
    const sent = cloud.chatRequests().slice(-1)[0];
    expect(sent?.bodyBytes).toBe(bytes);
    expect(sent?.rawBody).not.toContain('apples');
    expect(messagesOf(sent).map((message) => message.role)).toEqual(['system', 'user']);
    expect(messagesOf(sent)[1]?.content).toBe(question);
    expect(disclosedBody(disclosure, 'Send question only')).toBe(sent?.rawBody);
  });

  it('shows every byte of long context, paged, and sends exactly what was shown', async () => {
    await launch();
    // A marker far past any preview length, in a turn long enough to be clipped in the body.
    const filler = 'The orchard notes go on about soil, rootstock and pruning. '.repeat(6);
    const marker = 'MARKER-7Q3-unseen-before';
    telegram.sendText(OWNER, `${filler}${marker} ${'and more words after the marker '.repeat(20)}`);
    await botMessageMatching(telegram, withText(`Echo: ${filler.slice(0, 20)}`));
    const question = `Which rootstock? ${'Think about drainage, frost and budget. '.repeat(95)}end of question`;
    expect(question.length).toBeLessThan(4096);
    telegram.sendText(OWNER, `/think ${question}`);
    const disclosure = await botMessageMatching(telegram, withText('Deep think: this would leave your machine'));
    const shown = disclosedBody(disclosure, 'Send with context');
    expect(shown).toContain(marker);
    expect(shown).toContain('end of question');
    expect(telegram.botMessages(OWNER.id).filter((m) => m.text.includes('“Send with context”: the exact request body')).length).toBeGreaterThan(1);
    const bytes = disclosedBytes(disclosure, 'Send with context');
    expect(Buffer.byteLength(shown, 'utf8')).toBe(bytes);

    telegram.pressButton(OWNER, OWNER.id, disclosure.message_id, buttonData(disclosure, 'Send with context'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, disclosure.message_id)?.text.includes(`Sent ${bytes} bytes to`) ?? false, 60_000);
    const sent = cloud.chatRequests().slice(-1)[0];
    expect(sent?.rawBody).toBe(shown);
    expect(sent?.bodyBytes).toBe(bytes);
  });

  it('Cancel sends nothing; a cloud error sends nothing more and offers the same payload again', async () => {
    await launch();
    const disclosure = await disclosureFor('Should I hire help?');
    telegram.pressButton(OWNER, OWNER.id, disclosure.message_id, buttonData(disclosure, 'Cancel'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, disclosure.message_id)?.text.includes('Cancelled. Nothing was sent.') ?? false, 60_000);
    expect(cloud.requests.length).toBe(cloudBefore);

    telegram.sendText(OWNER, '/think Should I hire help?');
    await telegram.waitFor((fake) => fake.botMessages(OWNER.id).filter(withText('Deep think: this would leave')).length >= 2, 60_000);
    const second = telegram.botMessages(OWNER.id).filter(withText('Deep think: this would leave')).at(-1) as StoredMessage;
    cloud.script({ status: 503, error: { message: 'The server is overloaded', type: 'server_error' } });
    telegram.pressButton(OWNER, OWNER.id, second.message_id, buttonData(second, 'Send question only'));
    const failure = await botMessageMatching(telegram, withText('Deep think failed'));
    expect(failure.text).toContain(new URL(cloud.url).host);
    const again = await botMessageMatching(telegram, withText('Try deep think again?'));
    expect(again.text).toContain('Should I hire help?');
    expect(cloud.chatRequests().length).toBe(cloudBefore + 1);
  });
});

describe('deep think without configuration', () => {
  it('says how to configure it and sends nothing', async () => {
    const telegram = await startFakeTelegram();
    const database = await createTestDatabase('pglite');
    const before = cloud.requests.length;
    const d = startDaemon(baseEnv({ ...telegramEnv(telegram, OWNER.id), ...database.env }));
    try {
      await waitUntilReady(d, 60_000);
      telegram.sendText(OWNER, '/think What next?');
      const reply = await botMessageMatching(telegram, withText('Deep think is not configured'));
      expect(reply.text).toContain('DEEP_THINK_BASE_URL');
      expect(reply.text).toContain('What next?');
      expect(cloud.requests.length).toBe(before);
    } finally {
      await stopDaemon(d);
      await telegram.close();
      await database.drop();
    }
  });
});

describe('deep think in the terminal channel (pglite)', () => {
  it('shows the disclosure, the answer and the outcome once each, in that order', async () => {
    const ollama = await startFakeOllama();
    const database = await createTestDatabase('pglite');
    const d = startDaemon(
      baseEnv({ TERMINAL: 'on', OLLAMA_BASE_URL: ollama.url, DEEP_THINK_BASE_URL: cloud.baseUrl, DEEP_THINK_API_KEY: API_KEY, DEEP_THINK_MODEL: 'gpt-4o-mini', ...database.env }),
    );
    try {
      await d.waitForText('Terminal channel', 60_000);
      const answer = 'Prune in late winter, after the hardest frost.';
      cloud.script({ text: answer, interChunkDelayMs: 50 });
      d.write('/think When should I prune the apple trees?\n');
      // The buttons are printed right after the request; they may arrive in a later chunk.
      await d.waitForText('] Send question only', 60_000);
      const out = d.stdout();
      const choice = /\[(\d)\] Send question only/.exec(out)?.[1];
      expect(choice).toBeDefined();
      d.write(`${choice ?? ''}\n`);
      await d.waitForText('received', 60_000);
      d.write('/help\n');
      await d.waitForText('/status — ', 60_000);

      const text = d.stdout();
      expect(occurrences(text, answer)).toBe(1);
      expect(occurrences(text, 'Deep think: this would leave your machine')).toBe(1);
      expect(text).not.toContain('The answer is below');
      const answerAt = text.indexOf(answer);
      const outcomeAt = text.indexOf('Sent ');
      expect(answerAt).toBeGreaterThan(text.indexOf('Deep think: this would leave your machine'));
      expect(outcomeAt).toBeGreaterThan(answerAt);
      // The outcome edit prints only what it adds under the request, not the request again.
      const updated = text.slice(text.indexOf('Z (updated) ›'));
      expect(occurrences(text, 'Z (updated) ›')).toBe(1);
      expect(updated).not.toContain('Deep think: this would leave');
      expect(updated).toMatch(/^Z \(updated\) › ✅ Send question only\nSent \d+ bytes/);
    } finally {
      await stopDaemon(d);
      const opened = await openDatabase(database.settings, silentLogger());
      try {
        await migrateToLatest(opened.db);
        const rows = await opened.db.selectFrom('audit_log').selectAll().where('action', 'like', 'cloud:%').execute();
        for (const row of rows) if (typeof row.detail.sha256 === 'string') approvedHashes.add(row.detail.sha256);
      } finally {
        await opened.close();
      }
      await ollama.close();
      await database.drop();
    }
  });
});

function occurrences(text: string, fragment: string): number {
  return text.split(fragment).length - 1;
}
