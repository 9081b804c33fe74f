import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Feature } from '../../src/app/index.js';
import { createTelegramChatMessenger, createTelegramMessenger, createTelegramReplyChannel, handlersComposer, OwnerAuth, type BotContext } from '../../src/channels/telegram/index.js';
import { CommandRegistry } from '../../src/commands/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import type { LanguageModel } from '../../src/llm/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createDurableMessenger } from '../../src/messenger/index.js';
import { PauseSwitch } from '../../src/policy/index.js';
import { createRemindersFeature } from '../../src/reminders/index.js';
import { createRoutinesFeature } from '../../src/routines/index.js';
import { instantOf } from '../../src/time/index.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const OWNER = { id: 4242, first_name: 'Olive' };
const zone = 'Europe/Berlin';
/** 07:00 local on a day next year, from the real date; the clock is injected. */
const base = instantOf({ year: new Date().getUTCFullYear() + 1, month: 6, day: 10, hour: 7, minute: 0 }, zone);
const at = (minutes: number) => new Date(base.getTime() + minutes * 60_000);

const GOOD_PLANS = ['# Plans', '', '## morning', '- every: day', '- time: 07:30', '- title: Morning briefing', '- send-if-empty: yes', ''].join('\n');
/** The owner moves the briefing to 08:00 and, on line 8, makes a mistake: the whole edit is refused. */
const BAD_PLANS = ['# Plans', '', '## morning', '- every: day', '- time: 08:00', '- title: Morning briefing', '- send-if-empty: yes', '- colour: blue', ''].join('\n');

describe('routines feature in process', () => {
  let telegram: FakeTelegram;
  let database: TestDatabase;
  let opened: OpenDatabase;
  let dir: string;
  let features: Feature[] = [];
  const modelCalls: string[] = [];
  const llm: LanguageModel = {
    provider: 'test',
    model: 'none',
    chat: () => {
      modelCalls.push('chat');
      return Promise.reject(new Error('no model in this test'));
    },
    probe: () => Promise.resolve({ ok: false, detail: 'none' }),
  };

  beforeEach(async () => {
    telegram = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name }] });
    database = await createTestDatabase('pglite');
    opened = await openDatabase(database.settings, silentLogger());
    expect((await migrateToLatest(opened.db)).ok).toBe(true);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-routines-'));
    modelCalls.length = 0;
  });
  afterEach(async () => {
    for (const feature of features) await feature.stop?.();
    features = [];
    await opened.close();
    await telegram.close();
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function boot(clock: { now: Date }) {
    const plansFile = path.join(dir, 'recurring-plans.md');
    const loaded = loadConfig({ USER_TIMEZONE: zone, RECURRING_PLANS_FILE: plansFile, DATA_DIR: dir });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const config: Config = loaded.config;
    const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    const log = silentLogger();
    const now = () => clock.now;
    const messenger = createDurableMessenger({ db: opened.db, channel: createTelegramMessenger(api, () => OWNER.id), settle: () => undefined, clock: now, timeZone: zone, log });
    const deps = {
      config,
      db: opened.db,
      databaseKind: 'embedded' as const,
      log,
      registry: new CommandRegistry(),
      auth: new OwnerAuth(opened.db, OWNER.id),
      chats: createTelegramChatMessenger(api),
      replies: createTelegramReplyChannel(api, log),
      ownerChatId: () => OWNER.id,
      messenger,
    };
    const pause = new PauseSwitch(opened.db);
    await pause.load();
    const reminders = createRemindersFeature({ ...deps, tools: new ToolRegistry(), clock: now });
    const routines = createRoutinesFeature({ ...deps, llm, pause, features: () => [reminders], clock: now });
    features = [reminders, routines];
    const bot = new Bot<BotContext>(telegram.token, { botInfo: { ...(await api.getMe()) }, client: { apiRoot: telegram.apiRoot } });
    bot.use((ctx, next) => {
      ctx.channel = 'telegram';
      return next();
    });
    for (const feature of features) if (feature.handlers) bot.use(handlersComposer(feature.handlers));
    let offset = 0;
    const deliver = async (): Promise<void> => {
      const updates: Update[] = await api.getUpdates({ offset, timeout: 0 });
      for (const update of updates) {
        offset = update.update_id + 1;
        await bot.handleUpdate(update);
      }
    };
    return { plansFile, routines, deliver };
  }

  const texts = () => telegram.botMessages(OWNER.id).map((m) => m.text);

  it('a bad edit of RECURRING_PLANS_FILE is reported with line and reason, and the last good version keeps firing', async () => {
    const clock = { now: at(0) };
    const { plansFile, routines, deliver } = await boot(clock);
    fs.writeFileSync(plansFile, GOOD_PLANS);
    // A card untouched for a month: its nudge is not urgent, so it waits for the briefing.
    const month = new Date(base.getTime() - 30 * 86_400_000);
    await opened.db.insertInto('tasks').values({ idempotency_key: 'k1', ref: 'r1', title: 'Old plan', board: 'Career', list: 'To Do', created_at: month, updated_at: month }).execute();
    await routines.start?.();
    expect(texts()).toEqual([]);

    fs.writeFileSync(plansFile, BAD_PLANS);
    await telegram.waitFor(() => texts().some((text) => text.includes('has a mistake')));
    const report = texts().find((text) => text.includes('has a mistake')) ?? '';
    expect(report).toContain('recurring-plans.md has a mistake');
    expect(report).toContain('the last good version keeps running');
    expect(report).toMatch(/line 8: .*unknown key "colour"/);

    // 07:30: the old plan's slot (the refused edit said 08:00). Writing the file again wakes the check.
    clock.now = at(30.5);
    fs.writeFileSync(plansFile, BAD_PLANS);
    await telegram.waitFor(() => texts().some((text) => text.startsWith('Morning briefing')));
    expect(texts().filter((text) => text.includes('has a mistake'))).toHaveLength(1);
    expect(texts().filter((text) => text.startsWith('Morning briefing'))).toHaveLength(1);
    // The nudge went into the briefing (the model is down, so as plain facts), once.
    const briefing = texts().find((text) => text.startsWith('Morning briefing')) ?? '';
    expect(briefing).toContain('Cards that need a nudge');
    expect(briefing).toContain('"Old plan" has not moved in 14 days.');
    expect(modelCalls).toEqual(['chat']);
    // Marked folded once the run has finished with the delivery.
    await vi.waitFor(async () => expect(await opened.db.selectFrom('nudges').select(['folded']).execute()).toEqual([{ folded: true }]), { timeout: 30_000, interval: 50 });

    telegram.sendText(OWNER, '/routines');
    await deliver();
    const overview = texts().at(-1) ?? '';
    expect(overview).toMatch(/Morning briefing \(morning\)/);
    expect(overview).toMatch(/last: .*07:30, delivered/);
    expect(overview).toMatch(/The file has 1 problem\(s\) \(first: line 8\); the last good version is running/);
  });

  it('after a restart with a broken RECURRING_PLANS_FILE, the last good version (stored before the restart) still fires', async () => {
    const clock = { now: at(0) };
    const first = await boot(clock);
    fs.writeFileSync(first.plansFile, GOOD_PLANS);
    await first.routines.start?.();
    for (const feature of features) await feature.stop?.();
    features = [];

    // Broken while the daemon was down; the restart reads it first.
    fs.writeFileSync(first.plansFile, BAD_PLANS);
    const second = await boot(clock);
    await second.routines.start?.();
    await telegram.waitFor(() => texts().some((text) => text.includes('has a mistake')));
    clock.now = at(30.5);
    fs.writeFileSync(second.plansFile, BAD_PLANS);
    await telegram.waitFor(() => texts().some((text) => text.startsWith('Morning briefing')));
    expect(texts().filter((text) => text.startsWith('Morning briefing'))).toHaveLength(1);
  });

  it('/routines lists pending reminders with a delete button that works, next to run now and pause per routine', async () => {
    const clock = { now: at(0) };
    const { plansFile, deliver } = await boot(clock);
    fs.writeFileSync(plansFile, GOOD_PLANS);
    telegram.sendText(OWNER, '/remind in 20 minutes stretch');
    telegram.sendText(OWNER, '/remind every friday at 17:00 log expenses');
    await deliver();

    telegram.sendText(OWNER, '/routines');
    await deliver();
    const overview = telegram.botMessages(OWNER.id).at(-1);
    expect(overview?.text).toMatch(/Reminders\n• #\d+ .*07:20: stretch\n• #\d+ .*17:00 \(every Friday at 17:00\): log expenses/);
    expect(overview?.text).not.toContain('<b>');
    const buttons = overview?.replyMarkup?.inline_keyboard.flat() ?? [];
    expect(buttons.map((b) => ('callback_data' in b ? b.callback_data : ''))).toEqual(['rt:now:morning', 'rt:pause:morning', expect.stringMatching(/^rm:x:\d+$/), expect.stringMatching(/^rm:x:\d+$/)]);
    const stretch = buttons.find((b) => b.text.includes('stretch'));
    const data = stretch && 'callback_data' in stretch ? stretch.callback_data ?? '' : '';
    telegram.pressButton(OWNER, OWNER.id, overview?.message_id ?? 0, data);
    await deliver();
    expect(telegram.callsTo('answerCallbackQuery').map((call) => call.payload.text)).toEqual([expect.stringMatching(/^Reminder #\d+ deleted\.$/)]);

    telegram.sendText(OWNER, '/routines');
    await deliver();
    const after = texts().at(-1) ?? '';
    expect(after).not.toContain('stretch');
    expect(after).toContain('log expenses');
  });
});
