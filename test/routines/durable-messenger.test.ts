import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createDurableMessenger, type OwnerMessage, type OwnerMessenger } from '../../src/messenger/index.js';
import { createEffectJournal, ReceiptLog, type EffectJournal } from '../../src/outbox/index.js';
import { setPreference } from '../../src/preferences/index.js';
import { sendHeldDigest } from '../../src/routines/held-digest.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

/** A channel that sends through the effect journal exactly as the Bot API transformer does. */
function journaledChannel(journal: EffectJournal, sent: OwnerMessage[], after?: () => void): OwnerMessenger {
  return {
    async send(message) {
      const result = await journal.run(
        { method: 'sendMessage', chatId: 1, payload: { text: message.text } },
        async () => {
          sent.push(message);
          const id = 1000 + sent.length;
          return { ok: true, value: { message_id: id }, result: { message_id: id } };
        },
        (stored) => stored as { message_id: number },
      );
      after?.();
      return { messageIds: [result.message_id] };
    },
  };
}

describe.each(databaseKinds())('durable owner messenger on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  const receiptsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-messenger-'));

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    expect((await migrateToLatest(opened.db)).ok).toBe(true);
  });
  afterAll(async () => {
    await opened.close();
    await database.drop();
  });

  function process(file: string, clock: () => Date, sent: OwnerMessage[], after?: () => void) {
    const receipts = new ReceiptLog(file);
    receipts.open();
    const journal = createEffectJournal(receipts, silentLogger());
    const messenger = createDurableMessenger({
      db: opened.db,
      channel: journaledChannel(journal, sent, after),
      settle: (scope) => journal.settle(scope),
      clock,
      timeZone: 'Europe/Berlin',
      log: silentLogger(),
    });
    return { messenger, receipts };
  }

  it('sends once per scope: a second send returns the first delivery', async () => {
    const sent: OwnerMessage[] = [];
    const { messenger, receipts } = process(path.join(receiptsDir, 'a.jsonl'), () => new Date('2026-06-01T10:00:00Z'), sent);
    const first = await messenger.send({ text: 'hello' }, { scope: 'routine:a:1' });
    const [second, third] = await Promise.all([messenger.send({ text: 'hello' }, { scope: 'routine:a:1' }), messenger.send({ text: 'hello' }, { scope: 'routine:a:1' })]);
    expect(sent).toHaveLength(1);
    expect(first?.messageIds).toEqual([1001]);
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    receipts.close();
  });

  it('a process killed after Telegram answered but before the row said delivered does not send again', async () => {
    const file = path.join(receiptsDir, 'crash.jsonl');
    const sent: OwnerMessage[] = [];
    const clock = () => new Date('2026-06-01T10:00:00Z');
    const dying = process(file, clock, sent, () => {
      throw new Error('killed right after Telegram answered');
    });
    await expect(dying.messenger.send({ text: 'briefing' }, { scope: 'routine:b:1' })).rejects.toThrow('killed');
    dying.receipts.close();
    expect(sent).toHaveLength(1);

    const restarted = process(file, clock, sent);
    const delivery = await restarted.messenger.send({ text: 'briefing, written again' }, { scope: 'routine:b:1' });
    expect(sent).toHaveLength(1);
    expect(delivery?.messageIds).toEqual([1001]);
    restarted.receipts.close();
  });

  it('holds non-urgent messages in quiet hours and sends them as one digest when they end', async () => {
    await setPreference(opened.db, 'quiet_hours', '22:00-07:00');
    const sent: OwnerMessage[] = [];
    let now = new Date('2026-06-01T21:30:00Z'); // 23:30 in Berlin (CEST)
    const { messenger, receipts } = process(path.join(receiptsDir, 'quiet.jsonl'), () => now, sent);

    expect(await messenger.send({ text: 'weekly review' }, { scope: 'routine:weekly:1' })).toEqual({ messageIds: [], held: true });
    expect(await messenger.send({ text: 'card overdue' }, { scope: 'nudge:card-1:2026-06-01' })).toEqual({ messageIds: [], held: true });
    expect(sent).toHaveLength(0);
    // Reminders count as urgent by default; urgent: true always goes out.
    await messenger.send({ text: 'take the pill' }, { scope: 'reminder:1:x' });
    await messenger.send({ text: 'server down' }, { scope: 'alert:1', urgent: true });
    expect(sent.map((m) => m.text)).toEqual(['take the pill', 'server down']);

    expect(await sendHeldDigest({ db: opened.db, messenger, now, timeZone: 'Europe/Berlin' })).toBe(0);
    now = new Date('2026-06-02T05:00:00Z'); // 07:00 in Berlin
    expect(await sendHeldDigest({ db: opened.db, messenger, now, timeZone: 'Europe/Berlin' })).toBe(2);
    expect(sent).toHaveLength(3);
    expect(sent[2]?.text).toContain('weekly review');
    expect(sent[2]?.text).toContain('card overdue');
    expect(await sendHeldDigest({ db: opened.db, messenger, now, timeZone: 'Europe/Berlin' })).toBe(0);
    expect(sent).toHaveLength(3);

    // What counts as urgent is the owner's call.
    await setPreference(opened.db, 'quiet_hours_urgent', 'none');
    now = new Date('2026-06-02T22:00:00Z');
    expect(await messenger.send({ text: 'late reminder' }, { scope: 'reminder:2:x' })).toEqual({ messageIds: [], held: true });
    await setPreference(opened.db, 'quiet_hours', 'off');
    receipts.close();
  });
});
