import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, telegramEnv, waitUntilReady, type DaemonProcess } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { hostileCorpus } from '../support/hostile-corpus.js';

const OWNER = { id: 4242, first_name: 'Olive' };
const SEED = Number(process.env.CORPUS_SEED ?? 8);
/** Bot API methods that put something in front of a person. */
const VISIBLE = /^(send|edit|copy|forward|answerInlineQuery|setMessageReaction|pinChatMessage)/i;

describe.each(databaseKinds())('a hostile update corpus on %s', (kind) => {
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

  it('consumes every update, answers nobody but the owner, and /status still answers', async () => {
    const corpus = hostileCorpus({ owner: OWNER, size: 1_100, seed: SEED });
    console.log(`[hostile corpus ${kind}] seed=${SEED} (CORPUS_SEED=${SEED} replays it), ${corpus.updates.length} updates, ${corpus.fromOwner} from the owner`);
    // A previous deployment asked for every kind (reactions and a kind this build has never heard of
    // included), so all of them are waiting when the daemon starts.
    const allowed = ['message', 'edited_message', 'channel_post', 'edited_channel_post', 'callback_query', 'inline_query', 'chosen_inline_result', 'message_reaction', 'my_chat_member', 'future_update_kind_2027'];
    const asked = await fetch(`${telegram.apiRoot}/bot${telegram.token}/getUpdates`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ timeout: 0, allowed_updates: allowed }) });
    expect(asked.status).toBe(200);
    const ids = corpus.updates.map((body) => telegram.pushUpdate(body));
    expect(telegram.pendingUpdates()).toBe(corpus.updates.length);
    const lastId = Math.max(...ids);

    daemon = startDaemon(baseEnv({ ...telegramEnv(telegram, OWNER.id), OLLAMA_BASE_URL: ollama.url, LOG_LEVEL: 'info', ...database.env }));
    await waitUntilReady(daemon);
    await telegram.waitFor((fake) => fake.confirmedOffset === lastId + 1, 60_000);

    // /status counts the inbox: once it reports only itself pending, everything before it was handled.
    let status = '';
    for (let attempt = 0; attempt < 60 && !status.includes('inbox 1 pending'); attempt++) {
      const before = telegram.botMessages(OWNER.id).length;
      telegram.sendText(OWNER, '/status');
      await telegram.waitFor((fake) => fake.botMessages(OWNER.id).slice(before).some((m) => m.text.includes('Queues: inbox')));
      status = telegram.botMessages(OWNER.id).slice(before).find((m) => m.text.includes('Queues: inbox'))?.text ?? '';
      if (!status.includes('inbox 1 pending')) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(status).toContain('Queues: inbox 1 pending');
    expect(status).toContain('Telegram polling: alive');

    // Nobody but the owner saw anything; strangers' taps only stop their spinner.
    const visible = telegram.calls.filter((call) => VISIBLE.test(call.method) && call.method !== 'sendMessageDraft' && call.status === 200);
    expect(visible.filter((call) => Number(call.payload['chat_id']) !== OWNER.id)).toEqual([]);
    const strangerTapIds = new Set(corpus.updates.flatMap((body) => (isStrangers(body) && isRecord(body['callback_query']) ? [String(body['callback_query']['id'])] : [])));
    const strangerAnswers = telegram.callsTo('answerCallbackQuery').filter((call) => strangerTapIds.has(String(call.payload['callback_query_id'])));
    expect(new Set(strangerAnswers.map((call) => call.payload['text']))).toEqual(new Set(['These buttons only work for my owner.']));
    expect(telegram.unexpected).toEqual([]);
    // The owner's odd texts went through the assistant (the fake model echoes) and came back well-formed.
    expect(telegram.botMessages(OWNER.id).some((m) => m.text.startsWith('Echo: '))).toBe(true);
    await stopDaemon(daemon);
    daemon = undefined;

    const opened = await openDatabase(database.settings, silentLogger());
    try {
      const rows = await opened.db.selectFrom('inbox').select(['update_id', 'status', 'raw', 'payload', 'kind']).orderBy('update_id').execute();
      const byId = new Map(rows.map((row) => [Number(row.update_id), row]));
      // Every update stored and consumed; none pending.
      expect(ids.filter((id) => !byId.has(id))).toEqual([]);
      expect(rows.filter((row) => row.status === 'pending')).toEqual([]);
      // What was ignored (strangers, groups, kinds nobody handles) keeps only its id and kind.
      const strangerRows = ids.map((id, i) => ({ row: byId.get(id), body: corpus.updates[i] ?? {} })).filter(({ body }) => isStrangers(body));
      expect(strangerRows.length).toBeGreaterThan(900);
      expect(strangerRows.filter(({ row }) => row?.raw !== null || row.payload !== null).map(({ row }) => row?.update_id)).toEqual([]);
      expect(rows.filter((row) => row.status === 'failed' && row.raw === null)).toEqual([]);
      // What the owner sent and a feature handled is kept exactly as Telegram sent it: NUL and lone surrogates intact.
      const kept = ids.flatMap((id, i) => {
        const raw = byId.get(id)?.raw;
        return raw === null || raw === undefined ? [] : [{ stored: JSON.parse(raw) as unknown, sent: { ...corpus.updates[i], update_id: id } }];
      });
      expect(kept.length).toBeGreaterThan(0);
      for (const { stored, sent } of kept) expect(stored).toStrictEqual(sent);
    } finally {
      await opened.close();
    }
  }, 240_000);
});

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object';
}

/** Anything that does not carry the owner's id anywhere. */
function isStrangers(body: Record<string, unknown>): boolean {
  return !JSON.stringify(body).includes(`"id":${OWNER.id},`);
}
