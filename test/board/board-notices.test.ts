import { Api } from 'grammy';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { createBoardFeature, type BoardFeature } from '../../src/board/index.js';
import { createPlankaClient } from '../../src/board/planka/index.js';
import { createTelegramMessenger } from '../../src/channels/telegram/index.js';
import { CommandRegistry } from '../../src/commands/index.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import type { LanguageModel } from '../../src/llm/index.js';
import { silentLogger } from '../../src/log/index.js';
import { PauseSwitch } from '../../src/policy/index.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { startFakePlanka, type FakePlanka } from '../fakes/planka.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';

const OWNER_ID = 4242;
const API_KEY = 'D89VszVs_oSS6TdDtYmi0j1LhugOioY40dDVssESO';

const offlineModel: LanguageModel = {
  provider: 'test',
  model: 'none',
  chat: () => Promise.reject(new Error('no model in this test')),
  probe: () => Promise.resolve({ ok: false, detail: 'none' }),
};

let database: TestDatabase;
let opened: OpenDatabase;
let planka: FakePlanka;
let telegram: FakeTelegram;
let board: BoardFeature | undefined;

beforeEach(async () => {
  database = await createTestDatabase('pglite');
  opened = await openDatabase(database.settings, silentLogger());
  await migrateToLatest(opened.db);
  planka = await startFakePlanka({ apiKey: API_KEY });
  telegram = await startFakeTelegram({ knownChats: [{ id: OWNER_ID, type: 'private', first_name: 'Olive' }] });
});

afterEach(async () => {
  await board?.feature.stop?.();
  board = undefined;
  expect(planka.unexpected()).toEqual([]);
  await planka.close();
  await telegram.close();
  await opened.close();
  await database.drop();
});

it('tells the owner once when queued writes keep failing, once when they land, and not while paused', async () => {
  let clock = new Date('2026-11-22T09:00:00Z');
  const pause = new PauseSwitch(opened.db);
  board = createBoardFeature(
    {
      config: { planka: { baseUrl: planka.url, auth: { kind: 'api-key', apiKey: API_KEY } }, timeZone: 'UTC' },
      db: opened.db,
      log: silentLogger(),
      registry: new CommandRegistry(),
      messenger: createTelegramMessenger(new Api(telegram.token, { apiRoot: telegram.apiRoot }), () => OWNER_ID),
      ownerChatId: () => OWNER_ID,
      tools: new ToolRegistry(),
      llm: offlineModel,
      pause,
    },
    {
      now: () => clock,
      planka: createPlankaClient({ baseUrl: planka.url, auth: { kind: 'api-key', apiKey: API_KEY }, timeoutMs: 2_000, log: silentLogger() }),
      tickMs: 20,
    },
  );
  await planka.down();
  const write = await board.tasks.create({ key: 'n1', board: 'Career', title: 'Prepare review' });
  expect(write.result.state).toBe('queued');
  await board.tasks.noteOwnerTold(write.task.id);

  await board.feature.start?.();
  clock = new Date(clock.getTime() + 16 * 60_000);
  await telegram.waitFor((fake) => fake.botMessages(OWNER_ID).length >= 1);
  expect(telegram.botMessages(OWNER_ID).map((m) => m.text)).toEqual([expect.stringMatching(/^Planka is still failing: 1 task change waiting \(.*cannot reach Planka.*\)\. I keep retrying\.$/)]);

  // Paused: the write still lands, the notice waits for /resume.
  await pause.set(true);
  await planka.up();
  clock = new Date(clock.getTime() + 60 * 60_000);
  await telegram.waitFor(() => planka.state.cards.size === 1);
  expect(telegram.botMessages(OWNER_ID)).toHaveLength(1);
  await pause.set(false);
  await telegram.waitFor((fake) => fake.botMessages(OWNER_ID).length >= 2);
  expect(telegram.botMessages(OWNER_ID).at(-1)?.text).toBe('Planka is back: 1 queued task change applied.');
  expect(planka.state.cards.size).toBe(1);
});

it('tells the owner once, with the fix, when Planka refuses every write; /status says what is wrong', async () => {
  await planka.close();
  planka = await startFakePlanka({ apiKey: API_KEY, apiKeyRole: 'boardUser' });
  let clock = new Date('2026-11-22T09:00:00Z');
  board = createBoardFeature(
    {
      config: { planka: { baseUrl: planka.url, auth: { kind: 'api-key', apiKey: API_KEY } }, timeZone: 'UTC' },
      db: opened.db,
      log: silentLogger(),
      registry: new CommandRegistry(),
      messenger: createTelegramMessenger(new Api(telegram.token, { apiRoot: telegram.apiRoot }), () => OWNER_ID),
      ownerChatId: () => OWNER_ID,
      tools: new ToolRegistry(),
      llm: offlineModel,
      pause: new PauseSwitch(opened.db),
    },
    {
      now: () => clock,
      planka: createPlankaClient({ baseUrl: planka.url, auth: { kind: 'api-key', apiKey: API_KEY }, timeoutMs: 2_000, log: silentLogger() }),
      tickMs: 20,
    },
  );
  const write = await board.tasks.create({ key: 'b1', board: 'Career', title: 'Prepare review' });
  expect(write.result).toMatchObject({ state: 'blocked', fix: 'this Planka user needs the Project Owner or Admin role: give it one in Settings → Users' });
  await board.tasks.noteOwnerTold(write.task.id);
  const probe = board.feature.probes?.[0];
  expect(await probe?.check()).toEqual({ ok: false, refused: true, detail: 'this Planka user may not create projects · 1 write queued', fix: 'this Planka user needs the Project Owner or Admin role: give it one in Settings → Users' });

  await board.feature.start?.();
  await telegram.waitFor((fake) => fake.botMessages(OWNER_ID).length >= 1);
  // Many more failed passes (time moves past every backoff)...
  for (let pass = 0; pass < 3; pass += 1) {
    clock = new Date(clock.getTime() + 2 * 60 * 60_000);
    await board.worker.tick({ ignoreBackoff: true });
  }
  // ...then the owner fixes the role and the kept write lands.
  for (const user of planka.state.users.values()) user.role = 'admin';
  clock = new Date(clock.getTime() + 2 * 60 * 60_000);
  await telegram.waitFor((fake) => fake.botMessages(OWNER_ID).some((m) => m.text.startsWith('Planka is back')));
  const texts = telegram.botMessages(OWNER_ID).map((m) => m.text);
  expect(texts.filter((text) => text.startsWith('Planka refuses every task change'))).toEqual([
    'Planka refuses every task change: this Planka user may not create projects. Fix: this Planka user needs the Project Owner or Admin role: give it one in Settings → Users. Your task changes are kept and applied once that is fixed; I will not repeat this.',
  ]);
  expect(planka.state.cards.size).toBe(1);
});
