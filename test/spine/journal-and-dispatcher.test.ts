import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createEffectJournal, runInEffectScope } from '../../src/outbox/index.js';
import { pendingItems, storeBatch, UpdateDispatcher } from '../../src/updates/index.js';
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

  it('replays a completed effect from the journal instead of performing it again', async () => {
    const journal = createEffectJournal(opened.db, silentLogger());
    let performed = 0;
    const work = () =>
      journal.run(
        { method: 'sendMessage', chatId: 1, payload: { text: 'hi' } },
        async () => {
          performed += 1;
          return { ok: true, value: { message_id: 100 + performed }, result: { message_id: 100 + performed } };
        },
        (stored) => stored as { message_id: number },
      );
    const first = await runInEffectScope('update:1', async () => [await work(), await work()]);
    const replay = await runInEffectScope('update:1', async () => [await work(), await work()]);
    expect(performed).toBe(2);
    expect(replay).toEqual(first);
    // A different scope is different work.
    await runInEffectScope('update:2', work);
    expect(performed).toBe(3);
  });

  it('performs again an effect whose outcome was never recorded, and a failed one', async () => {
    const journal = createEffectJournal(opened.db, silentLogger());
    let calls = 0;
    const failing = () =>
      journal.run(
        { method: 'sendMessage', chatId: 1, payload: {} },
        async () => {
          calls += 1;
          return calls === 1 ? { ok: false, value: 'failed', error: '400: nope' } : { ok: true, value: 'sent', result: true };
        },
        () => 'replayed',
      );
    expect(await runInEffectScope('update:3', failing)).toBe('failed');
    expect(await runInEffectScope('update:3', failing)).toBe('sent');
    expect(await runInEffectScope('update:3', failing)).toBe('replayed');
    expect(calls).toBe(2);
  });

  it('stores a batch once, runs each chat in order, and chats concurrently', async () => {
    const update = (id: number, chat: number): Update => ({
      update_id: id,
      message: { message_id: id, date: 0, chat: { id: chat, type: 'private', first_name: 'x' }, from: { id: chat, is_bot: false, first_name: 'x' }, text: `m${id}` },
    });
    const batch = [update(10, 1), update(11, 2), update(12, 1), update(13, 2), update(14, 1)];
    const fresh = await storeBatch(opened.db, batch, 15);
    expect(fresh.map((item) => item.updateId)).toEqual([10, 11, 12, 13, 14]);
    expect(await storeBatch(opened.db, batch, 15)).toEqual([]);

    const seen: Array<{ chat: string; id: number; phase: 'start' | 'end' }> = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const dispatcher = new UpdateDispatcher({
      db: opened.db,
      log: silentLogger(),
      concurrency: 4,
      handle: async (u) => {
        concurrent += 1;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        seen.push({ chat: String(u.message?.chat.id), id: u.update_id, phase: 'start' });
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
  });
});
