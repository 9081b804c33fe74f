import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Update } from 'grammy/types';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wellFormed } from '../../src/channels/telegram/well-formed-transformer.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createEffectJournal, ReceiptLog } from '../../src/outbox/index.js';
import { getSetting, setSetting } from '../../src/settings/index.js';
import { OFFSET_SETTING, pendingItems, storeBatch, UpdateDispatcher } from '../../src/updates/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const text = (id: number, body: string, from = 777): Update => ({
  update_id: id,
  message: { message_id: id, date: 0, chat: { id: from, type: 'private', first_name: 'x' }, from: { id: from, is_bot: false, first_name: 'x' }, text: body },
});

describe.each(databaseKinds())('poisoned updates on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    expect((await migrateToLatest(opened.db)).ok).toBe(true);
  });
  afterAll(async () => {
    await opened.close();
    await database.drop();
  });

  it('stores NUL, lone surrogates and 100k characters, and hands back the exact update', async () => {
    const batch = [text(100, 'fine'), text(101, 'evil\u0000'), text(102, 'high \ud800'), text(103, '\udc00 low'), text(104, 'x'.repeat(100_000)), text(105, '/help')];
    const stored = await storeBatch(opened.db, batch, 106);
    expect(stored.unstorable).toEqual([]);
    expect(stored.fresh.map((item) => item.updateId)).toEqual([100, 101, 102, 103, 104, 105]);
    expect(await getSetting(opened.db, OFFSET_SETTING)).toBe('106');
    const back = await pendingItems<Update>(opened.db);
    expect(back.map((item) => item.update)).toStrictEqual(batch);
    expect(back[1]?.update.message?.text).toBe('evil\u0000');
    expect(back[2]?.update.message?.text?.charCodeAt(5)).toBe(0xd800);
    await opened.db.deleteFrom('inbox').execute();
  });

  it('records an update the database refuses as failed, keeps the rest, and moves the offset on', async () => {
    await sql`create function refuse_marked() returns trigger language plpgsql as $$
      begin
        if new.raw like '%refuse-me%' then raise exception 'refused by a test trigger'; end if;
        return new;
      end $$`.execute(opened.db);
    await sql`create trigger refuse_marked before insert on inbox for each row execute function refuse_marked()`.execute(opened.db);
    try {
      const batch = [text(200, 'before'), text(201, 'refuse-me'), text(202, 'after')];
      const stored = await storeBatch(opened.db, batch, 203);
      expect(stored.fresh.map((item) => item.updateId)).toEqual([200, 202]);
      expect(stored.unstorable).toEqual([{ updateId: 201, kind: 'message', reason: expect.stringContaining('refused by a test trigger') }]);
      expect(await getSetting(opened.db, OFFSET_SETTING)).toBe('203');
      const row = await opened.db.selectFrom('inbox').select(['status', 'error', 'raw', 'kind']).where('update_id', '=', 201).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'failed', error: expect.stringContaining('not stored: refused by a test trigger'), raw: null, kind: 'message' });
      expect((await pendingItems(opened.db)).map((item) => item.updateId)).toEqual([200, 202]);
      // Redelivered (the offset was not confirmed before a crash): nothing new, nothing lost.
      expect(await storeBatch(opened.db, batch, 203)).toEqual({ fresh: [], unstorable: [] });
    } finally {
      await sql`drop trigger refuse_marked on inbox`.execute(opened.db);
      await sql`drop function refuse_marked()`.execute(opened.db);
      await opened.db.deleteFrom('inbox').execute();
    }
  });

  it('clears an ignored update down to its id and kind once handled, and keeps a handled one', async () => {
    await storeBatch(opened.db, [text(300, 'a stranger writes'), text(301, 'the owner writes', 4242)], 302);
    const receipts = new ReceiptLog(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oz-receipts-')), 'receipts.jsonl'));
    receipts.open();
    const dispatcher = new UpdateDispatcher<Update>({
      db: opened.db,
      journal: createEffectJournal(receipts, silentLogger()),
      log: silentLogger(),
      concurrency: 2,
      handle: (update) => Promise.resolve(update.message?.from.id === 4242 ? 'handled' : 'ignored'),
    });
    dispatcher.enqueue(await pendingItems<Update>(opened.db));
    await expect.poll(() => dispatcher.handledCount, { timeout: 30_000 }).toBe(2);
    const rows = await opened.db.selectFrom('inbox').select(['update_id', 'kind', 'status', 'raw', 'payload']).orderBy('update_id').execute();
    expect(rows.map((row) => ({ ...row, update_id: Number(row.update_id), raw: row.raw === null ? null : 'kept' }))).toEqual([
      { update_id: 300, kind: 'message', status: 'done', raw: null, payload: null },
      { update_id: 301, kind: 'message', status: 'done', raw: 'kept', payload: null },
    ]);
    await opened.db.deleteFrom('inbox').execute();
  });

  it('writes text holding NUL to any text column (NUL becomes U+FFFD)', async () => {
    await setSetting(opened.db, 'test.nul', 'a\u0000b');
    expect(await getSetting(opened.db, 'test.nul')).toBe('a\ufffdb');
  });
});

describe('outgoing Bot API arguments', () => {
  it('replace lone surrogates and NUL by U+FFFD, keep pairs and offsets, and leave non-plain objects alone', () => {
    const file = new (class InputFileLike {
      readonly name = '\ud800';
    })();
    expect(wellFormed({ chat_id: 1, text: 'a\ud800b\udc00c\u0000😀', entities: [{ type: 'bold', offset: 0, length: 9 }], file })).toEqual({
      chat_id: 1,
      text: 'a\ufffdb\ufffdc\ufffd😀',
      entities: [{ type: 'bold', offset: 0, length: 9 }],
      file,
    });
    expect(wellFormed('\udc00\ud800').length).toBe(2);
  });
});
