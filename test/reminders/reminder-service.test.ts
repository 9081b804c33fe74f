import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createDurableMessenger, type OwnerMessage, type OwnerMessenger } from '../../src/messenger/index.js';
import { REMINDER_CALLBACK, ReminderService, firingScope } from '../../src/reminders/reminder-service.js';
import { registerReminderTools } from '../../src/reminders/reminder-tools.js';
import { addDays, instantOf, wallAt } from '../../src/time/index.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const zone = 'Europe/Berlin';
/** A working day next year at 10:00 local, computed from the real date; the clock is injected. */
const base = instantOf({ year: new Date().getUTCFullYear() + 1, month: 6, day: 10, hour: 10, minute: 0 }, zone);
const minutes = (n: number) => new Date(base.getTime() + n * 60_000);

describe.each(databaseKinds())('reminders on %s', (kind) => {
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

  /** One daemon process: its own messenger and service over the shared database (a restart makes a new one). */
  function boot(clock: () => Date, sent: OwnerMessage[]) {
    let id = 100 + sent.length;
    const channel: OwnerMessenger = {
      async send(message) {
        sent.push(message);
        return { messageIds: [++id] };
      },
    };
    const messenger = createDurableMessenger({ db: opened.db, channel, settle: () => undefined, clock, timeZone: zone, log: silentLogger() });
    return new ReminderService({ db: opened.db, messenger, clock, log: silentLogger() });
  }

  async function clear() {
    await opened.db.deleteFrom('reminders').execute();
    await opened.db.deleteFrom('owner_messages').execute();
  }

  it('fires a due one-off once, across a restart and a crash before the row moved on', async () => {
    await clear();
    const sent: OwnerMessage[] = [];
    let now = minutes(0);
    const first = boot(() => now, sent);
    const reminder = await first.create({ key: 'a', text: 'call the dentist', due: minutes(1), repeat: null, timeZone: zone });
    expect(await first.fireDue()).toBe(0);
    now = minutes(1);
    expect(await first.fireDue()).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toContain('call the dentist');
    expect(sent[0]?.text).not.toContain('late');
    expect(sent[0]?.buttons?.flat().map((b) => b.text)).toEqual(['Done', 'Snooze 20 min', 'Snooze 1h', 'Tomorrow']);
    for (const button of sent[0]?.buttons?.flat() ?? []) {
      expect(REMINDER_CALLBACK.test(button.data ?? '')).toBe(true);
      expect(Buffer.byteLength(button.data ?? '')).toBeLessThanOrEqual(64);
    }
    expect((await first.get(reminder.id))?.status).toBe('done');

    // The process died after Telegram answered but before the reminder was moved on.
    await opened.db.updateTable('reminders').set({ status: 'active' }).where('id', '=', reminder.id).execute();
    now = minutes(2);
    const restarted = boot(() => now, sent);
    await restarted.fireDue();
    await restarted.fireDue();
    expect(sent).toHaveLength(1);
    expect((await restarted.get(reminder.id))?.status).toBe('done');
  });

  it('delivers a one-off missed while the daemon was down late, marked late, and never drops it', async () => {
    await clear();
    const sent: OwnerMessage[] = [];
    const down = boot(() => minutes(0), sent);
    await down.create({ key: 'b', text: 'stretch', due: minutes(5), repeat: null, timeZone: zone });
    const now = minutes(5 * 60);
    const back = boot(() => now, sent);
    expect(await back.fireDue()).toBe(1);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.text).toMatch(/\(late: was due .*10:05\)/);
  });

  it('a repeating reminder shows its next time and is rescheduled, once per due time', async () => {
    await clear();
    const sent: OwnerMessage[] = [];
    let now = minutes(0);
    const service = boot(() => now, sent);
    const rule = { every: 'day' as const, hour: 10, minute: 30 };
    const reminder = await service.create({ key: 'c', text: 'log expenses', due: minutes(30), repeat: rule, timeZone: zone });
    now = minutes(31);
    await service.fireDue();
    await service.fireDue();
    expect(sent).toHaveLength(1);
    const next = instantOf({ ...addDays(wallAt(base, zone), 1), hour: 10, minute: 30 }, zone);
    expect((await service.get(reminder.id))?.due.getTime()).toBe(next.getTime());
    expect(sent[0]?.text).toContain('Next:');
    expect((await service.pending()).map((r) => r.id)).toEqual([reminder.id]);
  });

  it('buttons: snooze once per firing, tomorrow at the same time, done, and forged or stale taps answered clearly', async () => {
    await clear();
    const sent: OwnerMessage[] = [];
    let now = minutes(0);
    const service = boot(() => now, sent);
    const reminder = await service.create({ key: 'd', text: 'pay rent', due: minutes(1), repeat: null, timeZone: zone });
    now = minutes(2);
    await service.fireDue();
    const token = minutes(1).getTime().toString(36);
    expect(await service.act('s20', reminder.id, token)).toMatch(/^Snoozed until .*10:22/);
    expect(await service.act('s60', reminder.id, token)).toMatch(/^Already snoozed until .*10:22/);
    const pending = await service.pending();
    expect(pending).toHaveLength(1);
    expect(pending[0]?.due.getTime()).toBe(minutes(22).getTime());
    expect(pending[0]?.text).toBe('pay rent');

    // Forged: a due time we never sent, and a reminder that does not exist.
    expect(await service.act('s20', reminder.id, minutes(7).getTime().toString(36))).toBe('That is not a reminder I sent.');
    expect(await service.act('d', 999_999, token)).toBe('That is not a reminder I sent.');
    expect(await service.act('d', reminder.id, token)).toBe('Done.');

    // Tomorrow: the snoozed copy fires, then moves to tomorrow at the time it was due.
    now = minutes(22);
    await service.fireDue();
    const copy = pending[0];
    if (!copy) throw new Error('no snoozed copy');
    expect(await service.act('t', copy.id, copy.due.getTime().toString(36))).toMatch(/^Snoozed until/);
    const tomorrow = (await service.pending())[0];
    expect(tomorrow && wallAt(tomorrow.due, zone)).toMatchObject({ ...addDays(wallAt(base, zone), 1), hour: 10, minute: 22 });
    expect(await opened.db.selectFrom('owner_messages').select('scope').where('scope', '=', firingScope(copy.id, copy.due)).executeTakeFirst()).toBeDefined();
  });

  it('set_reminder resolves the owner words itself, echoes the time in the owner zone, and undoes', async () => {
    await clear();
    const now = minutes(0);
    const service = boot(() => now, []);
    const registry = new ToolRegistry();
    registerReminderTools(registry, { reminders: service, timeZone: zone, clock: () => now });
    const tool = registry.get('set_reminder');
    expect(tool?.tier).toBe('L1');
    const outcome = await tool?.run({ when: 'tomorrow at 9', what: 'call the dentist' }, { idempotencyKey: 'k1', chatId: 1 });
    expect(outcome?.content).toMatch(/Reminder set for .* 09:00 \(Europe\/Berlin\): call the dentist/);
    const again = await tool?.run({ when: 'tomorrow at 9', what: 'call the dentist' }, { idempotencyKey: 'k1', chatId: 1 });
    expect(again?.content).toBe(outcome?.content);
    expect(await service.pending()).toHaveLength(1);
    const refused = await tool?.run({ when: 'yesterday at 9', what: 'x' }, { idempotencyKey: 'k2', chatId: 1 });
    expect(refused?.content).toMatch(/^Not set: .*in the past/);
    expect(outcome?.undo?.kind).toBe('reminders_delete');
    expect(await registry.undoHandler('reminders_delete')?.(outcome?.undo?.payload)).toBe('Reminder deleted.');
    expect(await service.pending()).toHaveLength(0);
  });
});
