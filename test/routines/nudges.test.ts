import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createDurableMessenger, type OwnerMessage, type OwnerMessenger } from '../../src/messenger/index.js';
import { nudgeCards, nudgesSection } from '../../src/routines/nudges.js';
import { instantOf } from '../../src/time/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const zone = 'Europe/Berlin';
/** 15:00 local on a day next year, from the real date; the clock is injected. */
const base = instantOf({ year: new Date().getUTCFullYear() + 1, month: 6, day: 10, hour: 15, minute: 0 }, zone);
const hours = (n: number) => new Date(base.getTime() + n * 3_600_000);
const STALE_DAYS = 14;

describe.each(databaseKinds())('card nudges on %s', (kind) => {
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
  beforeEach(async () => {
    for (const table of ['nudges', 'owner_messages', 'tasks'] as const) await opened.db.deleteFrom(table).execute();
  });

  /** One daemon process: its own durable messenger over the shared database (a restart makes a new one). */
  function boot(sent: OwnerMessage[], failNext = { count: 0 }): OwnerMessenger {
    const channel: OwnerMessenger = {
      async send(message) {
        if (failNext.count > 0) {
          failNext.count -= 1;
          throw new Error('process died mid-send');
        }
        sent.push(message);
        return { messageIds: [sent.length] };
      },
    };
    return createDurableMessenger({ db: opened.db, channel, settle: () => undefined, clock: () => hours(0), timeZone: zone, log: silentLogger() });
  }

  async function card(title: string, fields: { due?: Date | null; touched: Date }): Promise<number> {
    const row = await opened.db
      .insertInto('tasks')
      .values({ idempotency_key: `k-${title}`, ref: title.slice(0, 8), title, board: 'Career', list: 'To Do', due_at: fields.due ?? null, created_at: fields.touched, updated_at: fields.touched })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  const run = (messenger: OwnerMessenger, now: Date) => nudgeCards({ db: opened.db, messenger, now, timeZone: zone, staleDays: STALE_DAYS });

  it('an urgent overdue card is nudged once a day, across repeated checks and a restart', async () => {
    await card('Send the invoice', { due: hours(-2), touched: hours(-24) });
    const sent: OwnerMessage[] = [];
    expect(await run(boot(sent), hours(0))).toBe(1);
    expect(await run(boot(sent), hours(0.5))).toBe(0);
    // A restart (a new process, same database) later the same day: no second nudge.
    const restarted = boot(sent);
    expect(await run(restarted, hours(3))).toBe(0);
    expect(sent.map((m) => m.text)).toEqual([expect.stringMatching(/^⏰ "Send the invoice" is overdue \(was due .*13:00\)\.$/)]);
    // Already told today: the briefing does not repeat it.
    expect(await nudgesSection(opened.db).gather({ now: hours(3), timeZone: zone, period: 'day' })).toMatchObject({ lines: [] });

    // The next day it is still overdue, but not news: folded into the briefing, not sent.
    expect(await run(restarted, hours(17))).toBe(0);
    expect(await run(restarted, hours(18))).toBe(0);
    expect(sent).toHaveLength(1);
    const section = nudgesSection(opened.db);
    const request = { now: hours(18), timeZone: zone, period: 'day' as const };
    expect(await section.gather(request)).toMatchObject({ connected: true, lines: [expect.stringMatching(/^"Send the invoice" is overdue/)] });
    await section.delivered?.(request);
    expect(await section.gather(request)).toMatchObject({ lines: [] });
    expect(await opened.db.selectFrom('nudges').select(['day']).execute()).toHaveLength(2);
  });

  it('stale cards and cards overdue since an earlier day wait for the next briefing, one line per card', async () => {
    await card('Old plan', { touched: hours(-24 * (STALE_DAYS + 1)) });
    await card('Renew passport', { due: hours(-48), touched: hours(-72) });
    await card('Fresh card', { due: hours(24), touched: hours(-1) });
    await card('Fine card', { touched: hours(-24) });
    const sent: OwnerMessage[] = [];
    expect(await run(boot(sent), hours(0))).toBe(0);
    expect(await run(boot(sent), hours(1))).toBe(0);
    // Two days without a briefing: still one line per card (the newest nudge).
    expect(await run(boot(sent), hours(24))).toBe(0);
    expect(sent).toEqual([]);
    const { lines } = (await nudgesSection(opened.db).gather({ now: hours(25), timeZone: zone, period: 'day' })) as { lines: string[] };
    expect(lines.sort()).toEqual([`"Old plan" has not moved in ${STALE_DAYS} days.`, expect.stringMatching(/^"Renew passport" is overdue/)].sort());
  });

  it('a crash between recording the nudge and sending it sends it on the next check, once', async () => {
    await card('Call the bank', { due: hours(-1), touched: hours(-5) });
    const sent: OwnerMessage[] = [];
    await expect(run(boot(sent, { count: 1 }), hours(0))).rejects.toThrow(/died/);
    expect(sent).toEqual([]);
    const restarted = boot(sent);
    expect(await run(restarted, hours(0.1))).toBe(1);
    expect(await run(restarted, hours(0.2))).toBe(0);
    expect(sent).toHaveLength(1);
  });

  it('a done or deleted card is never nudged', async () => {
    const done = await card('Finished', { due: hours(-1), touched: hours(-30 * 24) });
    const gone = await card('Gone', { due: hours(-1), touched: hours(-30 * 24) });
    await opened.db.updateTable('tasks').set({ done: true }).where('id', '=', done).execute();
    await opened.db.updateTable('tasks').set({ deleted_at: hours(-1) }).where('id', '=', gone).execute();
    const sent: OwnerMessage[] = [];
    expect(await run(boot(sent), hours(0))).toBe(0);
    expect(await opened.db.selectFrom('nudges').selectAll().execute()).toEqual([]);
  });
});
