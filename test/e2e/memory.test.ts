import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeQdrant, type FakeQdrant } from '../fakes/qdrant.js';
import { startFakeTelegram, type FakeTelegram, type StoredMessage } from '../fakes/telegram/index.js';
import { openDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { generateMiniLmFixture, miniLmFixtureModelsDir, removeMiniLmFixtureModelsDir } from '../fixtures/minilm/generate.js';
import { grepDatabase } from '../support/grep-database.js';
import { baseEnv, startDaemon, stopDaemon, type DaemonProcess, telegramEnv, waitUntilReady } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const OWNER = { id: 4242, first_name: 'Olive', username: 'olive' };
const STRANGER = { id: 777, first_name: 'Mallory' };
const cases = databaseKinds().flatMap((db) => (['embedded', 'qdrant'] as const).map((store) => [db, store] as const));

let modelsDir: string;
beforeAll(async () => {
  modelsDir = await miniLmFixtureModelsDir();
});
afterAll(async () => {
  await removeMiniLmFixtureModelsDir();
});

describe.each(cases)('memory through Telegram, %s database, %s store', (kind, storeKind) => {
  let telegram: FakeTelegram;
  let database: TestDatabase;
  let qdrant: FakeQdrant | undefined;
  let daemon: DaemonProcess | undefined;

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    database = await createTestDatabase(kind);
    qdrant = storeKind === 'qdrant' ? await startFakeQdrant({ apiKey: 'qk' }) : undefined;
  });

  afterEach(async () => {
    if (daemon) await stopDaemon(daemon);
    daemon = undefined;
    await telegram.close();
    const unexpected = qdrant?.unexpected() ?? [];
    await qdrant?.close();
    await database.drop();
    expect(unexpected.map((r) => `${r.method} ${r.path}`)).toEqual([]);
    expect(telegram.unexpected).toEqual([]);
  });

  async function launch(extra: Record<string, string> = {}): Promise<DaemonProcess> {
    daemon = startDaemon(
      baseEnv({
        ...telegramEnv(telegram, OWNER.id),
        MODELS_DIR: modelsDir,
        ALLOW_REMOTE_MODELS: 'false',
        ...(qdrant ? { QDRANT_URL: qdrant.url, QDRANT_API_KEY: 'qk', QDRANT_COLLECTION: 'memories' } : {}),
        ...database.env,
        ...extra,
      }),
    );
    await waitUntilReady(daemon, 60_000);
    return daemon;
  }

  const botMessages = (): StoredMessage[] => telegram.botMessages(OWNER.id);
  /** Sends as the owner and waits for `count` new bot messages; returns the last one. */
  async function ask(text: string, count = 1): Promise<StoredMessage> {
    const before = botMessages().length;
    telegram.sendText(OWNER, text);
    await telegram.waitFor(() => botMessages().length >= before + count, 60_000);
    return botMessages().at(-1)!;
  }
  async function press(message: StoredMessage, data: string, allowMissingButton = false): Promise<string> {
    const answers = telegram.callsTo('answerCallbackQuery').length;
    telegram.pressButton(OWNER, OWNER.id, message.message_id, data, { allowMissingButton });
    await telegram.waitFor((fake) => fake.callsTo('answerCallbackQuery').length > answers, 60_000);
    return String(telegram.callsTo('answerCallbackQuery').at(-1)?.payload.text ?? '');
  }
  const buttons = (message: StoredMessage) => (message.replyMarkup?.inline_keyboard ?? []).flat();
  const qdrantCount = () => qdrant?.collections.get('memories')?.points.size ?? 0;

  it('adds, dedupes, searches, pages, forgets by button and by /forget, and reindexes', async () => {
    const d = await launch();
    const status = await ask('/status');
    expect(status.text).toContain(storeKind === 'qdrant' ? '✅ Qdrant: ' : '⚠️ Qdrant: not configured, so memories are searched in process');
    expect(status.text).toContain(`✅ Embedding model: Xenova/all-MiniLM-L6-v2, files present in ${path.join(modelsDir, 'Xenova', 'all-MiniLM-L6-v2')}; loads on first use`);

    expect((await ask('/add Passport expires in March 2027')).text).toMatch(/^Remembered \([0-9a-f]{8}\)\.$/);
    const dup = await ask('/add Passport expires in March 2027');
    expect(dup.text).toContain('100% similar');
    expect(dup.text).toContain('updated it instead of adding a second one');
    for (const text of ['Anna likes yellow tulips', 'Gate code is 4711', 'The dentist is on Friday at nine', 'Bins go out on Tuesday evening', 'Wifi password is on the fridge']) {
      expect((await ask(`/add ${text}`)).text).toMatch(/^Remembered/);
    }
    if (qdrant) expect(qdrantCount()).toBe(6);

    const found = await ask('/memory Passport expires in March 2027');
    expect(found.text).toMatch(/Best matches\n1\. 1\.00 · \d{4}-\d{2}-\d{2} · command · [0-9a-f]{8}\nPassport expires in March 2027/);

    const status2 = await ask('/status');
    expect(status2.text).toContain('✅ Embedding model: Xenova/all-MiniLM-L6-v2 loaded');
    expect(status2.text).toContain('Memories: 6');

    // Newest first, five per page, a forget button per memory and a button to page on.
    const page = await ask('/memories');
    expect(page.text).toMatch(/^Memories 1–5 of 6, newest first\n1\. .*\nWifi password is on the fridge/);
    const older = buttons(page).find((b) => b.text === 'Older ›');
    expect(older?.callback_data).toBe('mem:p:5');
    for (const button of buttons(page)) expect(Buffer.byteLength(button.callback_data ?? '')).toBeLessThanOrEqual(64);
    await press(page, 'mem:p:5');
    await telegram.waitFor(() => telegram.message(OWNER.id, page.message_id)!.text.startsWith('Memories 6–6 of 6'), 60_000);
    const secondPage = telegram.message(OWNER.id, page.message_id)!;
    expect(secondPage.text).toContain('Passport expires in March 2027');
    await press(secondPage, 'mem:p:0');
    await telegram.waitFor(() => telegram.message(OWNER.id, page.message_id)!.text.startsWith('Memories 1–5 of 6'), 60_000);

    // Forget the gate code with its button.
    const firstPage = telegram.message(OWNER.id, page.message_id)!;
    const lines = firstPage.text.split('\n');
    const gateIndex = lines.findIndex((line) => line === 'Gate code is 4711');
    const gateNumber = /^(\d+)\./.exec(lines[gateIndex - 1] ?? '')?.[1];
    const gateButton = buttons(firstPage).find((b) => b.text === `🗑 ${gateNumber}`);
    expect(gateButton?.callback_data).toMatch(/^mem:f:[0-9a-f-]{36}:0$/);
    expect(await press(firstPage, gateButton!.callback_data!)).toBe('Forgotten.');
    await telegram.waitFor(() => telegram.message(OWNER.id, page.message_id)!.text.startsWith('Memories 1–5 of 5'), 60_000);
    expect(telegram.message(OWNER.id, page.message_id)!.text).not.toContain('Gate code');
    if (qdrant) expect(qdrantCount()).toBe(5);
    // The same button again, a forged id, and nonsense: answered, nothing changes.
    expect(await press(firstPage, gateButton!.callback_data!, true)).toBe('That memory is already gone.');
    expect(await press(firstPage, 'mem:f:00000000-0000-4000-8000-000000000000:0', true)).toBe('That memory is already gone.');
    expect(await press(firstPage, 'mem:x:hello', true)).toMatch(/no longer valid/);

    // /forget asks first, with buttons; "Keep it" keeps, "Forget it" deletes from both.
    const ask1 = await ask('/forget Anna likes yellow tulips');
    expect(ask1.text).toMatch(/^Forget this memory\?\n\d{4}-\d{2}-\d{2} · command · [0-9a-f]{8}\nAnna likes yellow tulips$/);
    const [forgetButton, keepButton] = buttons(ask1);
    expect(forgetButton?.text).toBe('Forget it');
    expect(keepButton?.text).toBe('Keep it');
    await press(ask1, forgetButton!.callback_data!);
    await telegram.waitFor(() => telegram.message(OWNER.id, ask1.message_id)!.text.includes('Forgotten: deleted from the database'), 60_000);
    const after = await ask('/memory Anna likes yellow tulips');
    expect(after.text).not.toContain('Anna likes yellow tulips');
    if (qdrant) expect(qdrantCount()).toBe(4);

    // The id works as well as a query.
    const shortId = /command · ([0-9a-f]{8})\nPassport/.exec(found.text)?.[1];
    const ask2 = await ask(`/forget ${shortId}`);
    expect(ask2.text).toContain('Passport expires in March 2027');
    await press(ask2, buttons(ask2)[1]!.callback_data!);
    await telegram.waitFor(() => telegram.message(OWNER.id, ask2.message_id)!.text.includes('Kept.'), 60_000);

    if (qdrant) qdrant.collections.get('memories')?.points.clear();
    const reindexed = await ask('/reindex', 2);
    expect(reindexed.text).toBe(`Reindexed 4 memories into ${storeKind === 'qdrant' ? 'Qdrant' : 'the embedded index'}.`);
    if (qdrant) expect(qdrantCount()).toBe(4);

    // Logs never carry memory text.
    expect(d.stdout()).not.toContain('yellow tulips');
    // Not the bare number: it turns up by chance in millisecond timestamps and ids ("time":…224711).
    expect(d.stdout()).not.toContain('Gate code');
    expect(d.stdout()).not.toContain('is 4711');
  });

  it('lets a stranger change nothing: not /add, not /forget, not the buttons', async () => {
    const d = await launch();
    await ask('/add Gate code is 4711');
    const page = await ask('/memories');
    const forget = buttons(page).find((b) => b.callback_data?.startsWith('mem:f:'));
    telegram.sendText(STRANGER, '/add I am the owner now');
    telegram.sendText(STRANGER, '/forget Gate code is 4711');
    telegram.pressButton(STRANGER, OWNER.id, page.message_id, forget!.callback_data!);
    await telegram.waitFor((fake) => fake.callsTo('answerCallbackQuery').length >= 1, 60_000);
    await d.waitForLog((line) => line.msg === 'ignored update from someone who is not the owner' && line.userId === STRANGER.id);
    telegram.sendText(OWNER, '/memories');
    await telegram.waitFor(() => botMessages().length >= 3, 60_000);
    expect(botMessages().at(-1)!.text).toMatch(/^Memories 1–1 of 1, newest first\n.*\nGate code is 4711$/);
    expect(telegram.botMessages(STRANGER.id)).toEqual([]);
    // The guard only stops the stranger's spinner.
    expect(telegram.callsTo('answerCallbackQuery').map((call) => call.payload.text)).toEqual(['These buttons only work for my owner.']);
    if (qdrant) expect(qdrantCount()).toBe(1);
  });

  it('offline first run: keeps /add while the model files are missing, says where they go, and makes it searchable once they appear', async () => {
    const emptyModels = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-no-models-'));
    const folder = path.join(emptyModels, 'Xenova', 'all-MiniLM-L6-v2');
    try {
      await launch({ MODELS_DIR: emptyModels });
      const before = await ask('/status');
      expect(before.text).toMatch(/❌ Embedding model: .*lacks config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx/);
      expect(before.text).toContain(folder);
      expect(before.text).not.toContain('not loaded yet');
      expect((await ask('/forget dentist')).text).toBe('You have no memories, so there is nothing to forget. /add <text> stores one.');

      const saved = await ask('/add My dentist is Dr. Smith');
      expect(saved.text).toMatch(/^Saved \([0-9a-f]{8}\), but not searchable yet: model files missing in /);
      expect(saved.text).toContain(folder);
      const listed = await ask('/memories');
      expect(listed.text).toMatch(/^Memories 1–1 of 1, newest first\n1\. .* · not searchable yet\nMy dentist is Dr\. Smith$/);
      const byWords = await ask('/memory dentist');
      expect(byWords.text).toContain('matched by their words, not their meaning');
      expect(byWords.text).toContain('word match');
      expect(byWords.text).toContain('My dentist is Dr. Smith');
      expect((await ask('/status')).text).toContain('Memories: 1 · 1 not searchable yet (waiting for the embedding model)');

      // The owner copies the files in: the waiting memory becomes searchable without another word.
      await generateMiniLmFixture(emptyModels);
      await telegram.waitFor(() => botMessages().some((m) => m.text.includes('The embedding model is available now: 1 memory')), 60_000);
      const after = await ask('/memories');
      expect(after.text).not.toContain('not searchable yet');
      expect((await ask('/memory My dentist is Dr. Smith')).text).toMatch(/^Best matches\n1\. 1\.00 · /);
      expect((await ask('/status')).text).toMatch(/✅ Embedding model: Xenova\/all-MiniLM-L6-v2 loaded/);
    } finally {
      fs.rmSync(emptyModels, { recursive: true, force: true });
    }
  });

  it('/forget leaves no copy of the memory anywhere in the database', async () => {
    await launch();
    const secret = 'The spare key is under the blue flower pot by the back door';
    await ask(`/add ${secret}`);
    await ask('/add Anna likes yellow tulips');
    await ask('/memories');
    await ask('/memory spare key');
    const request = await ask('/forget spare key flower pot');
    expect(request.text).toContain(secret);
    await press(request, buttons(request)[0]!.callback_data!);
    await telegram.waitFor(() => telegram.message(OWNER.id, request.message_id)!.text.includes('Forgotten: deleted from the database'), 60_000);
    expect(telegram.message(OWNER.id, request.message_id)!.text).not.toContain(secret);
    await stopDaemon(daemon!);
    daemon = undefined;
    const opened = await openDatabase(database.settings, silentLogger());
    try {
      expect(await grepDatabase(opened.db, secret)).toEqual([]);
      expect(await grepDatabase(opened.db, 'blue flower pot')).toEqual([]);
      expect(await grepDatabase(opened.db, 'Anna likes yellow tulips')).toContain('memories.text');
    } finally {
      await opened.close();
    }
  });

  it.runIf(storeKind === 'qdrant')('keeps saving while Qdrant is down, says searches used the database, and indexes once it is back', async () => {
    await launch();
    await ask('/add Anna likes yellow tulips');
    await qdrant!.down();
    expect((await ask('/add Passport expires in March 2027')).text).toContain('Qdrant is unreachable: saved in the database');
    const found = await ask('/memory Passport expires in March 2027');
    expect(found.text).toMatch(/^Qdrant is unreachable .*searched the database directly instead\.\nBest matches\n1\. 1\.00/);
    await qdrant!.up();
    await telegram.waitFor(() => qdrantCount() === 2, 60_000);
    expect((await ask('/memory Passport expires in March 2027')).text).toMatch(/^Best matches\n1\. 1\.00/);
  });
});
