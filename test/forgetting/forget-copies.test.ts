import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { insertApproval } from '../../src/approvals/approvals-repo.js';
import { addTurn, currentThread, endThread, saveSummary } from '../../src/assistant/conversation-repo.js';
import { forgetConversationsTool } from '../../src/assistant/forget-conversations-tool.js';
import { writeAudit } from '../../src/audit/index.js';
import { escapeHtml } from '../../src/channels/telegram/format/index.js';
import { migrateToLatest, openDatabase, type Db, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { clipText, memoryLineHtml } from '../../src/memory/memory-format.js';
import { MemoryService } from '../../src/memory/index.js';
import { loadVectors, streamVectors } from '../../src/memory/memories-repo.js';
import { createEmbeddedVectorStore } from '../../src/memory/vector/index.js';
import type { Receipt } from '../../src/outbox/index.js';
import { finishUpdate, storeBatch } from '../../src/updates/index.js';
import { fakeEmbedder } from '../memory/fake-embedder.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { grepDatabase } from '../support/grep-database.js';

const CHAT = 4242;
// Long enough to be clipped wherever it is quoted, with characters HTML and JSON escape.
const SECRET =
  'My dentist is Dr. Smith & "Sons" at <Harbour Street> 12, and the practice opens at eight on weekdays; the spare key is under the blue flower pot by the back door';
const KEEP = 'Anna likes yellow tulips and hates roses';

function message(updateId: number, text: string): Update {
  return {
    update_id: updateId,
    message: { message_id: updateId, date: 1_764_000_000, chat: { id: CHAT, type: 'private', first_name: 'Olive' }, from: { id: CHAT, is_bot: false, first_name: 'Olive' }, text },
  } as Update;
}

function callback(updateId: number, shownText: string, data: string): Update {
  return {
    update_id: updateId,
    callback_query: {
      id: `cb${updateId}`,
      chat_instance: '1',
      data,
      from: { id: CHAT, is_bot: false, first_name: 'Olive' },
      message: { message_id: 90, date: 1_764_000_000, chat: { id: CHAT, type: 'private', first_name: 'Olive' }, text: shownText },
    },
  } as Update;
}

function reply(scope: string, seq: number, text: string): Receipt {
  const payload = { chat_id: CHAT, text, parse_mode: 'HTML' };
  return { scope, seq, method: 'sendMessage', chatId: CHAT, payload, result: { message_id: 100 + seq, date: 1_764_000_000, chat: { id: CHAT, type: 'private' }, text } };
}

/** Records one handled update the way the dispatcher does: the update, then its replies with its outcome. */
async function handled(db: Db, update: Update, replies: string[]): Promise<void> {
  await storeBatch(db, [update], update.update_id + 1);
  const scope = `update:${update.update_id}`;
  await finishUpdate(db, update.update_id, { status: 'done' }, replies.map((text, seq) => reply(scope, seq, text)));
}

describe.each(databaseKinds())('forgetting erases every copy of the text, %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let db: Db;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    db = opened.db;
    expect((await migrateToLatest(db)).ok).toBe(true);
  });

  afterEach(async () => {
    await opened.close();
    await database.drop();
  });

  it('/forget leaves no copy of the memory in any text or jsonb column of any table', async () => {
    const embedder = fakeEmbedder();
    const service = new MemoryService({
      db,
      embedder,
      store: createEmbeddedVectorStore({ loadAll: () => streamVectors(db, embedder.modelName, new Date()), loadVectors: (ids) => loadVectors(db, ids, embedder.modelName, new Date()), log: silentLogger() }),
      log: silentLogger(),
    });
    const memory = (await service.add({ text: SECRET, source: 'command', sourceRef: `telegram:${CHAT}:1` })).memory;
    const kept = (await service.add({ text: KEEP, source: 'command' })).memory;
    const line = memoryLineHtml(memory, 'UTC', 200);

    // What the spine stored while the owner added, listed, searched and asked to forget it.
    await handled(db, message(1, `/add ${SECRET}`), ['Remembered (abcd1234).']);
    await handled(db, message(2, '/memories'), [`<b>Memories</b> 1–2 of 2\n1. ${line}\n2. ${memoryLineHtml(kept, 'UTC', 200)}`]);
    await handled(db, message(3, '/memory dentist'), [`<b>Best matches</b>\n1. <b>0.80</b> · ${memoryLineHtml(memory, 'UTC')}`]);
    await handled(db, message(4, 'remember that my dentist is Dr. Smith'), []);
    await writeAudit(db, { actor: 'assistant', action: 'tool:remember', detail: { what: `Remember: ${clipText(SECRET, 80)}`, key: 'update:4#1:tool:remember' } });
    await insertApproval(db, {
      originKey: 'update:4#2:approval:undo',
      kind: 'undo',
      payload: { kind: 'restore_memory', payload: { id: memory.id, previous: { text: SECRET, source: 'command', sourceRef: null, expiresAt: null } } },
      summary: escapeHtml(`✓ Updated a memory: ${clipText(SECRET, 80)}\n(Undo: Restore the previous wording)`),
      choices: [{ id: 'u', label: 'Undo', approves: true }],
      chatId: CHAT,
      expiresAt: new Date(Date.now() + 60_000),
    });
    await insertApproval(db, {
      originKey: 'update:5#0:approval:memory.forget',
      kind: 'memory.forget',
      payload: { id: memory.id },
      summary: `Forget this memory?\n${memoryLineHtml(memory, 'UTC', 500)}`,
      choices: [{ id: 'forget', label: 'Forget it', approves: true }],
      chatId: CHAT,
      expiresAt: new Date(Date.now() + 60_000),
    });
    await handled(db, message(5, `/forget ${SECRET.slice(0, 40)}`), [`Forget this memory?\n${memoryLineHtml(memory, 'UTC', 500)}`]);
    // The tap that confirms it is still being handled: its update quotes the request.
    await storeBatch(db, [callback(6, `Forget this memory?\n${clipText(SECRET, 500)}`, 'ap:abcdefghjkmn:forget')], 7);

    const flat = SECRET.replace(/\s+/g, ' ');
    // Before: the text is in all those places.
    expect(await grepDatabase(db, 'My dentist is Dr. Smith')).toEqual(['approvals.payload', 'approvals.summary', 'audit_log.detail', 'inbox.raw', 'memories.text', 'outbox.payload', 'outbox.result']);

    expect(await service.forget(memory.id)).toBeDefined();

    for (const needle of [SECRET, flat, clipText(SECRET, 80).slice(0, -1), escapeHtml(clipText(SECRET, 200).slice(0, -1)), 'spare key is under the blue flower pot', 'Dr. Smith &amp; &quot;Sons&quot;']) {
      expect(await grepDatabase(db, needle), needle).toEqual([]);
    }
    // Only that memory's text: the other memory and the owner's own words around it stay.
    expect(await grepDatabase(db, KEEP)).toEqual(expect.arrayContaining(['memories.text', 'outbox.payload']));
    expect(await grepDatabase(db, 'remember that my dentist is Dr. Smith')).toEqual(['inbox.raw']);
    const pending = await db.selectFrom('inbox').select(['status', 'raw']).where('update_id', '=', 6).executeTakeFirstOrThrow();
    expect(pending.status).toBe('pending');
    expect(JSON.parse(pending.raw ?? '{}')).toMatchObject({ callback_query: { data: 'ap:abcdefghjkmn:forget', message: { text: 'Forget this memory?\n[forgotten]' } } });
    await service.stop();
  });

  it('forget_past_conversations leaves no copy of the erased messages, replies or summaries anywhere', async () => {
    const question = 'What did the cardiologist say about my blood pressure readings last week?';
    const answer = 'The cardiologist said your readings of **135/85** are slightly high; she wants a new measurement in May.';
    const current = 'And what is on my list for today?';
    const thread = await currentThread(db, CHAT);
    await handled(db, message(10, question), ['<i>thinking…</i>', 'The cardiologist said your readings of <b>135/85</b> are slightly high; she wants a new measurement in May.']);
    await addTurn(db, { threadId: thread.id, role: 'user', content: question, status: 'answered', originKey: 'update:10#0:chat-turn' });
    await addTurn(db, { threadId: thread.id, role: 'assistant', content: answer, status: 'answered' });
    await saveSummary(db, thread.id, 'Owner asked about blood pressure readings from the cardiologist visit.', 2);
    await endThread(db, thread.id, new Date());
    const next = await currentThread(db, CHAT);
    await handled(db, message(11, current), ['Nothing due today.']);
    await addTurn(db, { threadId: next.id, role: 'user', content: current, status: 'answered', originKey: 'update:11#0:chat-turn' });

    const result = await forgetConversationsTool(db).run({}, { idempotencyKey: 'update:12#0:tool:forget_past_conversations', chatId: CHAT });
    expect(result.content).toBe('Erased 1 past conversation (2 messages).');

    for (const needle of [question, 'blood pressure readings', '135/85', 'slightly high; she wants a new measurement']) {
      expect(await grepDatabase(db, needle), needle).toEqual([]);
    }
    // The current conversation and its update are untouched.
    expect(await grepDatabase(db, current)).toEqual(['conversation_turns.content', 'inbox.raw']);
    expect(await grepDatabase(db, 'Nothing due today.')).toEqual(['outbox.payload', 'outbox.result']);
    const erasedUpdate = await db.selectFrom('inbox').select(['status', 'kind', 'raw']).where('update_id', '=', 10).executeTakeFirstOrThrow();
    expect(erasedUpdate).toEqual({ status: 'done', kind: 'message', raw: null });
  });
});
