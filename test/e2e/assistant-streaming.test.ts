import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeTelegram, type FakeTelegram, type RecordedCall, type StoredMessage, type TgChat } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { botMessageMatching, OWNER, withText } from './assistant-support.js';

const GROUP: TgChat = { id: -1001234567890, type: 'supergroup', title: 'Family planning' };
const ANSWER = 'First the invoices, then a call to the bank before noon, and after lunch the garden plan with Sam.';
/** Telegram allows about one edit a second; the sink waits 1000 ms, timer jitter gets 100 ms. */
const MIN_EDIT_GAP_MS = 900;

/** The chat a recorded call was aimed at (grammY sends JSON, so chat_id is a number). */
function chatOf(call: RecordedCall): number {
  return Number(call.payload['chat_id']);
}

/** message_id of the Message a successful call answered with. */
function resultMessageId(call: RecordedCall): number | undefined {
  const result = call.response?.['result'];
  return typeof result === 'object' && result !== null && 'message_id' in result && typeof result.message_id === 'number' ? result.message_id : undefined;
}

/** Every frame of one message: the sendMessage that created it, then each accepted edit, in order. */
function framesOf(telegram: FakeTelegram, chatId: number, messageId: number): RecordedCall[] {
  return telegram.calls.filter(
    (call) =>
      call.status === 200 &&
      chatOf(call) === chatId &&
      ((call.method === 'sendMessage' && resultMessageId(call) === messageId) || (call.method === 'editMessageText' && Number(call.payload['message_id']) === messageId)),
  );
}

function gaps(calls: RecordedCall[]): number[] {
  return calls.slice(1).map((call, index) => call.time - (calls[index]?.time ?? call.time));
}

/** The final answer is always HTML (partial frames are plain text), sent or edited in. */
function finalCall(telegram: FakeTelegram, chatId: number): RecordedCall | undefined {
  return telegram.calls.find((call) => (call.method === 'sendMessage' || call.method === 'editMessageText') && chatOf(call) === chatId && call.payload['parse_mode'] === 'HTML' && call.status === 200);
}

function visibleBotMessages(telegram: FakeTelegram, chatId: number): StoredMessage[] {
  return telegram.botMessages(chatId).filter((message) => !message.deleted);
}

function occurrences(text: string, fragment: string): number {
  return text.split(fragment).length - 1;
}

describe('streaming answers (pglite)', () => {
  let telegram: FakeTelegram;
  let ollama: FakeOllama;
  let database: TestDatabase;
  let daemon: DaemonProcess | undefined;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    ollama = await startFakeOllama();
    database = await createTestDatabase('pglite');
  });

  afterEach(async () => {
    if (daemon) await stopDaemon(daemon);
    daemon = undefined;
    await telegram.close();
    await ollama.close();
    await database.drop();
  });

  async function launch(extra: Record<string, string> = {}): Promise<DaemonProcess> {
    daemon = startDaemon(
      baseEnv({
        ...telegramEnv(telegram, OWNER.id),
        OLLAMA_BASE_URL: ollama.url,
        ...database.env,
        ...extra,
      }),
    );
    await waitUntilReady(daemon, 60_000);
    return daemon;
  }

  /** Checks the edit-mode stream in one chat and returns the one message holding the answer. */
  async function expectOneEditedAnswer(chatId: number): Promise<StoredMessage> {
    await telegram.waitFor((fake) => finalCall(fake, chatId) !== undefined, 60_000);
    // Anything sent late (a second copy of the answer) would land within this pause.
    await sleep(1_500);

    const visible = visibleBotMessages(telegram, chatId);
    expect(visible).toHaveLength(1);
    const [shown] = visible;
    if (!shown) throw new Error('no visible answer');
    // A context provider may add one note under the first answer (e.g. memory not ready).
    expect(shown.text.startsWith(ANSWER)).toBe(true);
    expect(occurrences(shown.text, ANSWER)).toBe(1);
    expect(shown.editCount).toBeGreaterThanOrEqual(1);

    // The stream made exactly one message and grew it by edits; the final answer is its last edit.
    const sent = telegram.callsTo('sendMessage').filter((call) => chatOf(call) === chatId && call.status === 200);
    expect(sent.map(resultMessageId)).toEqual([shown.message_id]);
    const frames = framesOf(telegram, chatId, shown.message_id);
    expect(frames.filter((call) => call.method === 'editMessageText').length).toBeGreaterThanOrEqual(2);
    expect(frames.at(-1)).toBe(finalCall(telegram, chatId));
    expect(frames.at(-1)?.method).toBe('editMessageText');
    for (const frame of frames.slice(0, -1)) expect(ANSWER.startsWith(String(frame.payload['text']))).toBe(true);
    for (const gap of gaps(frames)) expect(gap).toBeGreaterThanOrEqual(MIN_EDIT_GAP_MS);
    return shown;
  }

  it('streams into one message edited about once a second in a group chat, without drafts', async () => {
    await launch({ TELEGRAM_OWNER_IN_GROUPS: 'true' });
    ollama.script({ text: ANSWER, chunks: 12, interChunkDelayMs: 150 });
    telegram.sendText(OWNER, 'What is the plan for today?', GROUP);
    await expectOneEditedAnswer(GROUP.id);
    expect(telegram.callsTo('sendMessageDraft').filter((call) => chatOf(call) === GROUP.id)).toEqual([]);
    expect(telegram.drafts(GROUP.id)).toEqual([]);
    expect(telegram.unexpected).toEqual([]);
  });

  it('falls back to editing one message when Telegram does not know sendMessageDraft', async () => {
    await launch();
    // What the Bot API answers for a method it does not have.
    telegram.failNext('sendMessageDraft', { error_code: 404, description: 'Not Found' }, 100);
    ollama.script({ text: ANSWER, chunks: 12, interChunkDelayMs: 150 });
    telegram.sendText(OWNER, 'What is the plan for today?');
    await expectOneEditedAnswer(OWNER.id);
    // One failed draft is enough to switch for the rest of the answer.
    expect(telegram.callsTo('sendMessageDraft')).toHaveLength(1);
    expect(telegram.drafts(OWNER.id)).toEqual([]);
    expect(telegram.unexpected).toEqual([]);
  });

  it('reports a model that sends nothing within OLLAMA_CONNECT_TIMEOUT_SECONDS, keeps the turn, and /retry answers', async () => {
    await launch({ OLLAMA_CONNECT_TIMEOUT_SECONDS: '1' });
    ollama.hang();
    const sentAt = Date.now();
    telegram.sendText(OWNER, 'Are you awake?');
    const failure = await botMessageMatching(telegram, withText('took too long'));
    // Well under the 10 s default, so the setting took effect; loose enough for a loaded machine.
    expect(Date.now() - sentAt).toBeLessThan(9_000);
    expect(failure.text).toContain('OLLAMA_CONNECT_TIMEOUT_SECONDS (now 1)');
    expect(failure.text).toContain('/retry');
    expect(failure.text).toContain('Nothing was sent to a cloud model');
    expect(visibleBotMessages(telegram, OWNER.id)).toHaveLength(1);

    ollama.unhang();
    telegram.sendText(OWNER, '/retry');
    await botMessageMatching(telegram, withText('Echo: Are you awake?'));
    expect(visibleBotMessages(telegram, OWNER.id).filter((message) => message.text.includes('Echo: Are you awake?'))).toHaveLength(1);
  });
});

describe('streaming in the terminal channel (pglite)', () => {
  it('prints the answer growing as it is written, then the final answer once', async () => {
    const ollama = await startFakeOllama();
    const database = await createTestDatabase('pglite');
    const d = startDaemon(baseEnv({ TERMINAL: 'on', OLLAMA_BASE_URL: ollama.url, ...database.env }));
    try {
      await d.waitForText('Terminal channel', 60_000);
      const renderings: string[] = [];
      d.child.stdout.on('data', () => {
        // daemon.ts appends to stdout() in its own listener, registered before this one.
        const out = d.stdout();
        const start = out.lastIndexOf('Z … ');
        if (start < 0) return;
        const line = out.slice(start + 'Z … '.length).split('\n')[0] ?? '';
        if (line !== '' && renderings.at(-1) !== line) renderings.push(line);
      });
      ollama.script({ text: ANSWER, chunks: 8, interChunkDelayMs: 200 });
      d.write('What is the plan for today?\n');
      await d.waitForText(ANSWER, 60_000);
      // Lines are handled one after another: once /help answers, the first turn is complete.
      d.write('/help\n');
      await d.waitForText('/status — ');

      const partials = renderings.filter((text) => text !== ANSWER);
      expect(partials.length).toBeGreaterThanOrEqual(2);
      for (const text of renderings) expect(ANSWER.startsWith(text)).toBe(true);
      expect(renderings.at(-1)).toBe(ANSWER);
      expect(occurrences(d.stdout(), ANSWER)).toBe(1);

      d.child.stdin.end();
      expect((await d.exited).code).toBe(0);
    } finally {
      await stopDaemon(d);
      await ollama.close();
      await database.drop();
    }
  });
});
