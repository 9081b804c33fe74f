import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { botMessageMatching, buttonData, callbackAnswers, messagesOf, OWNER, STRANGER, withText } from './assistant-support.js';

describe.each(databaseKinds())('chatting with Z on %s', (kind) => {
  let telegram: FakeTelegram;
  let ollama: FakeOllama;
  let database: TestDatabase;
  let daemon: DaemonProcess | undefined;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    ollama = await startFakeOllama();
    database = await createTestDatabase(kind);
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

  it('streams an answer as drafts, sends it as a message, and carries the history into the next turn', async () => {
    const d = await launch();
    const answer = 'Start with the invoice, then call the bank before noon.';
    // Long enough (about 2 s) for several 300 ms draft frames even when the machine is busy.
    ollama.script({ text: answer, interChunkDelayMs: 200 });
    telegram.sendText(OWNER, 'What first today?');
    const final = await botMessageMatching(telegram, withText(answer));
    // A context provider may add one note under the first answer (e.g. memory not ready).
    expect(final.text.startsWith(answer)).toBe(true);

    const drafts = telegram.drafts(OWNER.id);
    expect(drafts.length).toBeGreaterThanOrEqual(2);
    for (const draft of drafts) expect(answer.startsWith(draft.text)).toBe(true);
    expect(new Set(drafts.map((draft) => draft.draft_id)).size).toBe(1);
    expect(telegram.chatActions(OWNER.id).some((action) => action.action === 'typing')).toBe(true);

    telegram.sendText(OWNER, 'And after that?');
    await botMessageMatching(telegram, withText('Echo: And after that?'));
    const [first, second] = ollama.chatRequests();
    const firstMessages = messagesOf(first);
    expect(firstMessages[0]?.role).toBe('system');
    expect(firstMessages[0]?.content).toContain('You are Z');
    expect(firstMessages[0]?.content).toMatch(/It is \w+day, \d+ \w+ \d{4}/);
    expect(firstMessages.at(-1)).toEqual({ role: 'user', content: 'What first today?' });
    expect(first?.body).toMatchObject({ stream: true, options: { num_ctx: 8192 } });
    expect(messagesOf(second).slice(1)).toEqual([
      { role: 'user', content: 'What first today?' },
      { role: 'assistant', content: answer },
      { role: 'user', content: 'And after that?' },
    ]);
    // Logs never carry what the owner wrote.
    expect(d.stdout()).not.toContain('What first today?');
    expect(telegram.unexpected).toEqual([]);
  });

  it('condenses older turns into a running summary when the history outgrows OLLAMA_NUM_CTX', async () => {
    ollama.setDefault((request) => {
      const system = messagesOf(request)[0]?.content ?? '';
      if (system.startsWith('You condense')) return { text: 'SUMMARY-OF-EARLIER: the owner listed fruit plans.' };
      const last = messagesOf(request).at(-1)?.content ?? '';
      return { text: `Noted ${last.slice(0, 12)} ${'z'.repeat(1400)}` };
    });
    await launch({ OLLAMA_NUM_CTX: '4096' });
    const topics = ['apples', 'bananas', 'cherries', 'damsons'];
    for (const [index, topic] of topics.entries()) {
      telegram.sendText(OWNER, `${topic} ${'x'.repeat(1500)}`);
      await telegram.waitFor((fake) => fake.botMessages(OWNER.id).filter((m) => m.text.startsWith('Noted')).length >= index + 1, 60_000);
    }
    const requests = ollama.chatRequests();
    const distillations = requests.filter((request) => messagesOf(request)[0]?.content.startsWith('You condense'));
    expect(distillations.length).toBeGreaterThanOrEqual(1);
    expect(messagesOf(distillations[0]).at(-1)?.content).toContain('apples');

    const answers = requests.filter((request) => !messagesOf(request)[0]?.content.startsWith('You condense'));
    expect(answers).toHaveLength(4);
    // The last turn carries the summary instead of the oldest turns.
    const last = messagesOf(answers[3]);
    expect(last[0]?.content).toContain('SUMMARY-OF-EARLIER: the owner listed fruit plans.');
    expect(last.some((message) => message.content.startsWith('apples'))).toBe(false);
    expect(last.at(-1)?.content.startsWith('damsons')).toBe(true);
    for (const request of answers) {
      const chars = messagesOf(request).reduce((sum, message) => sum + message.content.length, 0);
      expect(chars / 4).toBeLessThan(4096);
    }
  });

  it('runs a tool call, rejects an invalid one without running it, and /why names what was used', async () => {
    await launch();
    ollama.script({ toolCalls: [{ name: 'current_time', arguments: {} }] }, { text: 'It is tea time.' });
    telegram.sendText(OWNER, 'What time is it?');
    await botMessageMatching(telegram, withText('It is tea time.'));
    const toolResult = messagesOf(ollama.chatRequests()[1]).find((message) => message.role === 'tool');
    expect(toolResult?.tool_name).toBe('current_time');
    expect(toolResult?.content).toMatch(/\d{4}.*\(UTC\)/);

    telegram.sendText(OWNER, '/why');
    await botMessageMatching(telegram, withText('Tools: current_time'));

    ollama.script({ toolCalls: [{ name: 'set_preference', arguments: { key: 'bad key!', value: '' } }] }, { text: 'That did not work.' });
    telegram.sendText(OWNER, 'Remember I like short answers');
    await botMessageMatching(telegram, withText('That did not work.'));
    const rejected = messagesOf(ollama.chatRequests()[3]).find((message) => message.role === 'tool');
    expect(rejected?.content).toContain('Invalid arguments for set_preference');

    telegram.sendText(OWNER, '/audit');
    const audit = await botMessageMatching(telegram, (message) => /Audit log|audit log is empty/.test(message.text));
    expect(audit.text).not.toContain('tool:set_preference');
  });

  it('runs an L1 tool with an Undo button that reverses it, and /pause blocks tools until /resume', async () => {
    await launch();
    ollama.script({ toolCalls: [{ name: 'set_preference', arguments: { key: 'tone', value: 'terse' } }] }, { text: 'Saved your tone.' });
    telegram.sendText(OWNER, 'Be terse from now on');
    const confirmation = await botMessageMatching(telegram, withText('Preference tone = terse'));
    await botMessageMatching(telegram, withText('Saved your tone.'));
    telegram.pressButton(OWNER, OWNER.id, confirmation.message_id, buttonData(confirmation, 'Undo'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, confirmation.message_id)?.text.includes('Removed preference tone') ?? false, 60_000);

    telegram.sendText(OWNER, '/pause');
    await botMessageMatching(telegram, withText('Paused.'));
    ollama.script({ toolCalls: [{ name: 'set_preference', arguments: { key: 'tone', value: 'warm' } }] }, { text: 'I could not save that.' });
    telegram.sendText(OWNER, 'Be warm instead');
    const answer = await botMessageMatching(telegram, withText('I could not save that.'));
    expect(answer.text).toContain('Actions are paused');
    const blocked = messagesOf(ollama.chatRequests().at(-1)).find((message) => message.role === 'tool');
    expect(blocked?.content).toContain('paused');
    expect(messagesOf(ollama.chatRequests().at(-1))[0]?.content).toContain('paused all actions');
    telegram.sendText(OWNER, '/audit');
    const audit = await botMessageMatching(telegram, withText('Audit log'));
    expect(audit.text.match(/tool:set_preference/g)).toHaveLength(1);
  });

  it('asks before an L2 tool, ignores a stranger, and runs it once on a double tap', async () => {
    await launch();
    telegram.sendText(OWNER, 'Notes about the garden plan');
    await botMessageMatching(telegram, withText('Echo: Notes about the garden plan'));
    telegram.sendText(OWNER, '/new');
    await botMessageMatching(telegram, withText('Fresh start'));
    // /new summarizes the closed thread with the local model after replying.
    await telegram.waitFor(() => ollama.chatRequests().length >= 2, 60_000);

    ollama.script({ toolCalls: [{ name: 'forget_past_conversations', arguments: {} }] }, { text: 'I asked you to approve that.' });
    telegram.sendText(OWNER, 'Forget our past conversations');
    const request = await botMessageMatching(telegram, withText('Permanently erase these past conversations'));
    await botMessageMatching(telegram, withText('I asked you to approve that.'));
    const waiting = messagesOf(ollama.chatRequests().at(-1)).find((message) => message.role === 'tool');
    expect(waiting?.content).toContain('has NOT happened yet');
    const approve = buttonData(request, 'Approve');

    telegram.pressButton(STRANGER, OWNER.id, request.message_id, approve);
    await telegram.waitFor((fake) => callbackAnswers(fake).includes('These buttons only work for my owner.'), 60_000);
    expect(telegram.message(OWNER.id, request.message_id)?.text).not.toContain('Erased');

    telegram.pressButton(OWNER, OWNER.id, request.message_id, approve);
    telegram.pressButton(OWNER, OWNER.id, request.message_id, approve, { allowMissingButton: true });
    await telegram.waitFor((fake) => callbackAnswers(fake).length >= 3, 60_000);
    await telegram.waitFor((fake) => fake.message(OWNER.id, request.message_id)?.text.includes('Erased 1 past conversation') ?? false, 60_000);
    expect(callbackAnswers(telegram)).toEqual(['These buttons only work for my owner.', 'Approve', 'Already answered: Approve.']);

    telegram.sendText(OWNER, '/audit');
    const audit = await botMessageMatching(telegram, withText('Audit log'));
    expect(audit.text.match(/tool:forget_past_conversations/g)).toHaveLength(1);
    expect(audit.text.match(/approval:approved/g)).toHaveLength(1);
  });

  it('/new with no conversation says there was nothing to keep, and /retry after /new never claims an answer that did not come', async () => {
    await launch();
    telegram.sendText(OWNER, '/new');
    await botMessageMatching(telegram, withText('There was no conversation yet'));
    await ollama.down();
    telegram.sendText(OWNER, 'Are you there?');
    await botMessageMatching(telegram, withText('not reachable'));
    telegram.sendText(OWNER, '/new');
    telegram.sendText(OWNER, '/retry');
    const retry = await botMessageMatching(telegram, withText('Nothing to retry'));
    expect(retry.text).toContain('Your last message before it was not answered');
    const said = telegram.botMessages(OWNER.id).map((message) => message.text).join('\n');
    expect(said).not.toContain('summarized and kept');
    expect(said).not.toContain('your last message was answered');
  });

  it('says within seconds that Ollama is down, names the fix, and /retry answers once it is back', async () => {
    await launch();
    await ollama.down();
    telegram.sendText(OWNER, 'Are you there?');
    const failure = await botMessageMatching(telegram, withText('not reachable'));
    expect(failure.text).toContain('OLLAMA_BASE_URL');
    expect(failure.text).toContain('/retry');
    expect(failure.text).toContain('Nothing was sent to a cloud model');
    await ollama.up();
    telegram.sendText(OWNER, '/retry');
    await botMessageMatching(telegram, withText('Echo: Are you there?'));
    telegram.sendText(OWNER, '/retry');
    await botMessageMatching(telegram, withText('Nothing to retry'));
  });
});

describe('chatting with Z when the model is not pulled', () => {
  it('tells the owner to pull the model', async () => {
    const telegram = await startFakeTelegram();
    const ollama = await startFakeOllama({ models: ['qwen2.5:7b'] });
    const database = await createTestDatabase('pglite');
    const d = startDaemon(
      baseEnv({ ...telegramEnv(telegram, OWNER.id), OLLAMA_BASE_URL: ollama.url, ...database.env }),
    );
    try {
      await waitUntilReady(d, 60_000);
      telegram.sendText(OWNER, 'Hello?');
      const failure = await botMessageMatching(telegram, withText('not installed'));
      expect(failure.text).toContain('ollama pull llama3.2:3b');
      expect(failure.text).toContain('/retry');
    } finally {
      await stopDaemon(d);
      await telegram.close();
      await ollama.close();
      await database.drop();
    }
  });
});
