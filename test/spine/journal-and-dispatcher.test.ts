import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Update } from 'grammy/types';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createEffectJournal, ReceiptLog, runInEffectScope, type EffectJournal } from '../../src/outbox/index.js';
import { finishUpdates, pendingItems, storeBatch, UpdateDispatcher } from '../../src/updates/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

describe.each(databaseKinds())('journal and dispatcher on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    expect(migrated.ok).toBe(true);
  });
  afterAll(async () => {
    await opened.close();
    await database.drop();
  });

  function receiptFile(): string {
    return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oz-receipts-')), 'receipts.jsonl');
  }

  it('keeps no copy of settled replies in the receipt file once nothing is pending', () => {
    const file = receiptFile();
    const receipts = new ReceiptLog(file);
    receipts.open();
    const receipt = (scope: string, text: string) => ({ scope, seq: 0, method: 'sendMessage', chatId: 1, payload: { text }, result: { message_id: 1, text } });
    receipts.attempt('update:1', 0, 'sendMessage');
    receipts.record(receipt('update:1', 'the spare key is under the pot'));
    receipts.attempt('update:2', 0, 'sendMessage');
    receipts.record(receipt('update:2', 'still in flight'));
    receipts.settle('update:1');
    // Another update is still unfinished: its receipt must stay, the settled one may wait for compaction.
    expect(fs.readFileSync(file, 'utf8')).toContain('still in flight');
    receipts.settle('update:2');
    expect(fs.readFileSync(file, 'utf8')).toBe('');
    receipts.record(receipt('update:3', 'after compaction'));
    expect(fs.readFileSync(file, 'utf8')).toContain('after compaction');
    receipts.close();
  });

  it('replays a confirmed effect from its receipt, also after a restart, instead of performing it again', async () => {
    const file = receiptFile();
    const receipts = new ReceiptLog(file);
    receipts.open();
    const journal = createEffectJournal(receipts, silentLogger());
    let performed = 0;
    const work = (j: EffectJournal) =>
      j.run(
        { method: 'sendMessage', chatId: 1, payload: { text: 'hi' } },
        async () => {
          performed += 1;
          return { ok: true, value: { message_id: 100 + performed }, result: { message_id: 100 + performed } };
        },
        (stored) => stored as { message_id: number },
      );
    const first = await runInEffectScope('update:1', async () => [await work(journal), await work(journal)]);
    const replay = await runInEffectScope('update:1', async () => [await work(journal), await work(journal)]);
    expect(performed).toBe(2);
    expect(replay).toEqual(first);
    receipts.close();

    // A new process reads the same file: the receipts survive a crash.
    const again = new ReceiptLog(file);
    expect(again.open()).toEqual({ receipts: 2, attemptsWithoutReceipt: 0 });
    const journal2 = createEffectJournal(again, silentLogger());
    expect(await runInEffectScope('update:1', async () => [await work(journal2), await work(journal2)])).toEqual(first);
    expect(performed).toBe(2);
    expect(journal2.receiptsOf('update:1').map((r) => r.seq)).toEqual([0, 1]);
    // Once the work is recorded in the database, its receipts are gone from the file.
    journal2.settle('update:1');
    again.close();
    const third = new ReceiptLog(file);
    expect(third.open()).toEqual({ receipts: 0, attemptsWithoutReceipt: 0 });
    third.close();
  });

  it('performs again an effect that failed or whose outcome was never confirmed, and says so', async () => {
    const file = receiptFile();
    const receipts = new ReceiptLog(file);
    receipts.open();
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
    let calls = 0;
    const failing = (j: EffectJournal) =>
      j.run(
        { method: 'sendMessage', chatId: 1, payload: {} },
        async () => {
          calls += 1;
          return calls === 1 ? { ok: false, value: 'failed', error: '400: nope' } : { ok: true, value: 'sent', result: true };
        },
        () => 'replayed',
      );
    const journal = createEffectJournal(receipts, log);
    expect(await runInEffectScope('update:3', () => failing(journal))).toBe('failed');
    expect(await runInEffectScope('update:3', () => failing(journal))).toBe('sent');
    expect(await runInEffectScope('update:3', () => failing(journal))).toBe('replayed');
    expect(calls).toBe(2);
    // A crash after the attempt line and before the answer: the restart performs it again, loudly.
    receipts.attempt('update:4', 0, 'sendMessage');
    receipts.close();
    const after = new ReceiptLog(file);
    expect(after.open()).toEqual({ receipts: 1, attemptsWithoutReceipt: 1 });
    await runInEffectScope('update:4', () => failing(createEffectJournal(after, log)));
    expect(calls).toBe(3);
    expect(lines.join('')).toContain('effect outcome unknown after restart');
    after.close();
  });

  it('stores a batch once, runs each chat in order, and chats concurrently', async () => {
    const update = (id: number, chat: number): Update => ({
      update_id: id,
      message: { message_id: id, date: 0, chat: { id: chat, type: 'private', first_name: 'x' }, from: { id: chat, is_bot: false, first_name: 'x' }, text: `m${id}` },
    });
    const batch = [update(10, 1), update(11, 2), update(12, 1), update(13, 2), update(14, 1)];
    const stored = await storeBatch(opened.db, batch, 15);
    expect(stored.fresh.map((item) => item.updateId)).toEqual([10, 11, 12, 13, 14]);
    expect(await storeBatch(opened.db, batch, 15)).toEqual({ fresh: [], unstorable: [] });

    const seen: Array<{ chat: string; id: number; phase: 'start' | 'end' }> = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const receipts = new ReceiptLog(receiptFile());
    receipts.open();
    const journal = createEffectJournal(receipts, silentLogger());
    const dispatcher = new UpdateDispatcher({
      db: opened.db,
      journal,
      log: silentLogger(),
      concurrency: 4,
      handle: async (u) => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        seen.push({ chat: String(u.message?.chat.id), id: u.update_id, phase: 'start' });
        await journal.run({ method: 'sendMessage', chatId: u.message?.chat.id ?? null, payload: { text: 'r' } }, async () => ({ ok: true, value: 1, result: { id: u.update_id } }), () => 0);
        await new Promise((resolve) => setTimeout(resolve, 20));
        seen.push({ chat: String(u.message?.chat.id), id: u.update_id, phase: 'end' });
        concurrent -= 1;
        if (u.update_id === 13) throw new Error('boom');
      },
    });
    dispatcher.enqueue(await pendingItems(opened.db));
    await expect.poll(() => dispatcher.handledCount, { timeout: 5000 }).toBe(5);
    expect(maxConcurrent).toBe(2);
    const chat1 = seen.filter((s) => s.chat === '1');
    expect(chat1.map((s) => `${s.id}:${s.phase}`)).toEqual(['10:start', '10:end', '12:start', '12:end', '14:start', '14:end']);
    const rows = await opened.db.selectFrom('inbox').select(['update_id', 'status', 'error']).orderBy('update_id').execute();
    expect(rows.map((row) => row.status)).toEqual(['done', 'done', 'done', 'failed', 'done']);
    expect(rows[3]?.error).toBe('boom');
    expect(await pendingItems(opened.db)).toEqual([]);
    // Each update's reply was stored with its outcome, including the failed one's.
    const outbox = await opened.db.selectFrom('outbox').select(['scope', 'status']).orderBy('scope').execute();
    expect(outbox.map((row) => row.scope)).toEqual(['update:10', 'update:11', 'update:12', 'update:13', 'update:14']);
    expect(journal.pendingCount).toBe(0);
  });
  it('stores the outcomes of updates that finish together in one go, and one the database refuses leaves the others done', async () => {
    const update = (id: number, chat: number): Update => ({
      update_id: id,
      message: { message_id: id, date: 0, chat: { id: chat, type: 'private', first_name: 'x' }, from: { id: chat, is_bot: false, first_name: 'x' }, text: `m${id}` },
    });
    // Four chats, so all four run at once and finish in the same turn of the event loop.
    await storeBatch(opened.db, [update(30, 31), update(31, 32), update(32, 33), update(33, 34)], 34);
    const receipts = new ReceiptLog(receiptFile());
    receipts.open();
    const journal = createEffectJournal(receipts, silentLogger());
    const failures: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => failures.push(line) });
    const dispatcher = new UpdateDispatcher({
      db: opened.db,
      journal,
      log,
      concurrency: 4,
      handle: async (u) => {
        // jsonb refuses a lone surrogate escape: this update's reply cannot be stored.
        const text = u.update_id === 31 ? 'broken \ud800' : `reply to ${u.update_id}`;
        await journal.run({ method: 'sendMessage', chatId: u.message?.chat.id ?? null, payload: { text } }, async () => ({ ok: true, value: 1, result: { text } }), () => 0);
        if (u.update_id === 32) throw new Error('handler broke');
        return u.update_id === 33 ? 'ignored' : 'handled';
      },
    });
    dispatcher.enqueue(await pendingItems(opened.db));
    await expect.poll(() => dispatcher.handledCount, { timeout: 10_000 }).toBe(4);
    const rows = await opened.db.selectFrom('inbox').select(['update_id', 'status', 'error', 'raw', 'finished_at']).where('update_id', '>=', 30).orderBy('update_id').execute();
    expect(rows.map((row) => [Number(row.update_id), row.status, row.error])).toEqual([
      [30, 'done', null],
      [31, 'pending', null],
      [32, 'failed', 'handler broke'],
      [33, 'done', null],
    ]);
    expect(rows[0]?.raw).not.toBeNull();
    expect(rows[3]?.raw).toBeNull(); // ignored: only its id and kind are kept
    expect(rows.filter((row) => row.status !== 'pending').every((row) => row.finished_at !== null)).toBe(true);
    const outbox = await opened.db.selectFrom('outbox').select(['scope', 'payload']).where('scope', 'in', ['update:30', 'update:31', 'update:32', 'update:33']).orderBy('scope').execute();
    expect(outbox.map((row) => row.scope)).toEqual(['update:30', 'update:32', 'update:33']);
    // The refused one stays pending with its receipt kept, so a restart stores it without sending again.
    expect(journal.receiptsOf('update:31')).toHaveLength(1);
    expect(journal.receiptsOf('update:30')).toHaveLength(0);
    // The four finished in one turn and went as one group, which was refused and then stored one by one.
    expect(failures.filter((line) => line.includes('refused as a group')).map((line) => (JSON.parse(line) as { size: number }).size)).toEqual([4]);
    expect(failures.join('')).toContain('could not record update outcome');
    receipts.close();
  });
  it('finishes several updates in one statement: each its own status, error and replies; an ignored one keeps only its id', async () => {
    const update = (id: number): Update => ({
      update_id: id,
      message: { message_id: id, date: 0, chat: { id: 40, type: 'private', first_name: 'x' }, from: { id: 40, is_bot: false, first_name: 'x' }, text: `m${id}` },
    });
    await storeBatch(opened.db, [update(40), update(41), update(42), update(43)], 44);
    // An update stored before `raw` existed keeps it in the jsonb `payload` column: an ignored one loses both.
    await opened.db.updateTable('inbox').set({ raw: null, payload: JSON.stringify(update(43)) }).where('update_id', '=', 43).execute();
    const reply = (id: number, seq: number, chatId: number | null) => ({ scope: `update:${id}`, seq, method: 'sendMessage', chatId, payload: { text: `r${id}.${seq}` }, result: { message_id: seq } });
    await finishUpdates(opened.db, [
      { updateId: 42, outcome: { status: 'failed', error: 'it broke' }, sent: [reply(42, 0, 40)] },
      { updateId: 40, outcome: { status: 'done' }, sent: [reply(40, 0, 40), reply(40, 1, null)] },
      { updateId: 41, outcome: { status: 'done' }, sent: [] },
      { updateId: 43, outcome: { status: 'done', ignored: true }, sent: [] },
    ]);
    const rows = await opened.db.selectFrom('inbox').select(['update_id', 'status', 'error', 'raw', 'payload', 'finished_at']).where('update_id', 'in', [40, 41, 42, 43]).orderBy('update_id').execute();
    expect(rows.map((row) => [Number(row.update_id), row.status, row.error, row.raw === null, row.payload === null])).toEqual([
      [40, 'done', null, false, true],
      [41, 'done', null, false, true],
      [42, 'failed', 'it broke', false, true],
      [43, 'done', null, true, true],
    ]);
    expect(rows.every((row) => row.finished_at !== null)).toBe(true);
    const outbox = await opened.db.selectFrom('outbox').select(['scope', 'seq', 'chat_id', 'payload', 'status']).where('scope', 'in', ['update:40', 'update:41', 'update:42']).orderBy('scope').orderBy('seq').execute();
    expect(outbox.map((row) => [row.scope, row.seq, row.chat_id === null ? null : Number(row.chat_id), row.payload, row.status])).toEqual([
      ['update:40', 0, 40, { text: 'r40.0' }, 'sent'],
      ['update:40', 1, null, { text: 'r40.1' }, 'sent'],
      ['update:42', 0, 40, { text: 'r42.0' }, 'sent'],
    ]);
  });

  it('splits a group whose replies would pass the database\'s limit of bound parameters, keeping each update whole', async () => {
    const ids = [50, 51, 52, 53, 54, 55, 56, 57];
    await storeBatch(opened.db, ids.map((id) => ({ update_id: id, message: { message_id: id, date: 0, chat: { id: 50, type: 'private', first_name: 'x' }, from: { id: 50, is_bot: false, first_name: 'x' }, text: 'm' } }) as Update), 58);
    // 8 × 1,200 replies × 7 parameters is over PostgreSQL's 65,535 in one statement.
    const sent = (id: number) => Array.from({ length: 1200 }, (_, seq) => ({ scope: `update:${id}`, seq, method: 'editMessageText', chatId: 50, payload: { seq }, result: true }));
    await finishUpdates(opened.db, ids.map((id) => ({ updateId: id, outcome: { status: 'done' as const }, sent: sent(id) })));
    const done = await opened.db.selectFrom('inbox').select('update_id').where('update_id', 'in', ids).where('status', '=', 'done').execute();
    expect(done).toHaveLength(8);
    const count = await opened.db.selectFrom('outbox').select((eb) => eb.fn.countAll<string | number>().as('n')).where('scope', 'in', ids.map((id) => `update:${id}`)).executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(9600);
  });
});
