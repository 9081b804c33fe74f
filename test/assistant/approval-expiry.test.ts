import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalService } from '../../src/approvals/index.js';
import { createTelegramChatMessenger, handlersComposer, type BotContext } from '../../src/channels/telegram/index.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const OWNER = { id: 4242, first_name: 'Olive' };

/** Expiry with an injected clock: a 15-minute TTL is tested without waiting 15 minutes. */
describe('approval expiry', () => {
  let telegram: FakeTelegram;
  let database: TestDatabase;
  let opened: OpenDatabase;

  beforeEach(async () => {
    telegram = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name }] });
    database = await createTestDatabase('pglite');
    opened = await openDatabase(database.settings, silentLogger());
    await migrateToLatest(opened.db);
  });

  afterEach(async () => {
    await opened.close();
    await telegram.close();
    await database.drop();
  });

  it('marks an overdue request expired, says so under it, and a later tap changes nothing', async () => {
    let now = new Date('2026-11-22T10:00:00Z');
    const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    const service = new ApprovalService({ db: opened.db, chats: createTelegramChatMessenger(api), log: silentLogger(), defaultTtlMs: 15 * 60_000, now: () => now });
    const ran: string[] = [];
    service.on('test-action', async () => {
      ran.push('ran');
      return 'Done.';
    });
    const approval = await service.request({
      kind: 'test-action',
      payload: { what: 'thing' },
      summary: 'Do the thing?',
      choices: [{ id: 'y', label: 'Approve', approves: true }],
      chatId: OWNER.id,
    });
    expect(approval.messageId).not.toBeNull();

    now = new Date(now.getTime() + 15 * 60_000 + 1);
    const stop = service.startExpirySweep();
    try {
      await telegram.waitFor((fake) => fake.message(OWNER.id, approval.messageId ?? 0)?.text.includes('Expired') ?? false);
    } finally {
      stop();
    }

    // The owner taps the (stale) button afterwards.
    const bot = new Bot<BotContext>(telegram.token, { botInfo: { ...(await api.getMe()) }, client: { apiRoot: telegram.apiRoot } });
    bot.use((ctx, next) => {
      ctx.channel = 'telegram';
      return next();
    });
    bot.use(handlersComposer(service.handlers()));
    telegram.pressButton(OWNER, OWNER.id, approval.messageId ?? 0, `ap:${approval.id}:y`, { allowMissingButton: true });
    const updates: Update[] = await api.getUpdates({ timeout: 0 });
    const tap = updates.find((update) => update.callback_query !== undefined);
    if (!tap) throw new Error('the tap did not arrive');
    await bot.handleUpdate(tap);
    const answers = telegram.callsTo('answerCallbackQuery').map((call) => call.payload.text);
    expect(answers).toEqual(['This request expired; nothing was done.']);
    expect(ran).toEqual([]);
  });
});
