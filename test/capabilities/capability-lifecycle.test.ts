import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApprovalService } from '../../src/approvals/index.js';
import { CapabilityService, FAILURE_LIMIT, FIX_ROUNDS, registerCapabilityTools } from '../../src/capabilities/index.js';
import type { BotContext } from '../../src/channels/telegram/index.js';
import { createTelegramChatMessenger, createTelegramMessenger, handlersComposer } from '../../src/channels/telegram/index.js';
import { migrateToLatest, openDatabase, type Db, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { OwnerPolicy, PauseSwitch, ToolExecutor } from '../../src/policy/index.js';
import { ensureSqlRoles, GuardedSql, registerSqlTools } from '../../src/sql/index.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const OWNER = { id: 5151, first_name: 'Olive' };

/** A capability that fails whenever its input says so. */
function flaky(name = 'flaky_counter'): Record<string, unknown> {
  return {
    name,
    description: 'Counts calls, and fails when asked to (for tests).',
    code: 'async function run(input) { if (input.fail) throw new Error("asked to fail"); const n = ((await kv.get("n")) || 0) + 1; await kv.set("n", n); return { n }; }',
    input_schema: { type: 'object', properties: { fail: { type: 'boolean' } } },
    tests: [{ name: 'counts', input: {}, expect: { n: 1 } }],
    permissions: { kv: true },
  };
}

describe.each(databaseKinds())('the capability lifecycle on %s', (kind) => {
  let telegram: FakeTelegram;
  let database: TestDatabase;
  let opened: OpenDatabase;
  let db: Db;
  let tools: ToolRegistry;
  let executor: ToolExecutor;
  let service: CapabilityService;
  let deliver: () => Promise<void>;

  beforeEach(async () => {
    telegram = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name }] });
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    if (!migrated.ok) throw new Error(migrated.reason);
    db = opened.db;
    const log = silentLogger();
    const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    tools = new ToolRegistry();
    const approvals = new ApprovalService({ db, chats: createTelegramChatMessenger(api), log, defaultTtlMs: 15 * 60_000 });
    const pause = new PauseSwitch(db);
    await pause.load();
    executor = new ToolExecutor({ registry: tools, approvals, pause, policy: new OwnerPolicy(db), db, log, undoTtlMs: 60_000 });
    const guardedSql = new GuardedSql(db, opened.kind, { maxRows: 50, timeoutMs: 5_000, maxCost: 100_000 });
    await ensureSqlRoles(db);
    guardedSql.setAvailability(undefined);
    registerSqlTools(tools, { db, guardedSql, approvals });
    const clock = () => new Date();
    service = new CapabilityService({
      db,
      chats: createTelegramChatMessenger(api),
      approvals,
      tools,
      messenger: createTelegramMessenger(api, () => OWNER.id),
      log,
      clock,
      host: { db, guardedSql, secrets: undefined, clock },
      limits: { cpuMs: 500 },
    });
    registerCapabilityTools(tools, service);
    const bot = new Bot<BotContext>(telegram.token, { botInfo: { ...(await api.getMe()) }, client: { apiRoot: telegram.apiRoot } });
    bot.use(handlersComposer(approvals.handlers()));
    let offset = 0;
    deliver = async () => {
      const updates: Update[] = await api.getUpdates({ offset, timeout: 0 });
      for (const update of updates) {
        offset = update.update_id + 1;
        await bot.handleUpdate(update);
      }
    };
  });

  afterEach(async () => {
    await opened.close();
    await telegram.close();
    await database.drop();
  });

  async function approveLatest(label = 'Approve'): Promise<string> {
    const request = telegram.botMessages(OWNER.id).filter((m) => m.replyMarkup?.inline_keyboard.flat().some((b) => b.text === label)).at(-1);
    if (!request) throw new Error(`no message with a ${label} button`);
    const button = request.replyMarkup?.inline_keyboard.flat().find((b) => b.text === label);
    telegram.pressButton(OWNER, OWNER.id, request.message_id, button && 'callback_data' in button ? String(button.callback_data) : '');
    await deliver();
    return telegram.message(OWNER.id, request.message_id)?.text ?? '';
  }

  it('turns itself off after repeated failures, tells the owner, and comes back with enable', async () => {
    expect((await executor.execute('write_capability', flaky(), OWNER.id)).content).toContain('waiting for the owner');
    expect(await approveLatest()).toContain('is active now as the tool cap_flaky_counter');
    expect((await executor.execute('cap_flaky_counter', {}, OWNER.id)).content).toBe('{"n":1}');
    for (let i = 1; i < FAILURE_LIMIT; i += 1) {
      expect((await executor.execute('cap_flaky_counter', { fail: true }, OWNER.id)).content).toContain('failed: Error: asked to fail');
    }
    // A success in between resets the streak.
    expect((await executor.execute('cap_flaky_counter', {}, OWNER.id)).content).toBe('{"n":2}');
    for (let i = 1; i < FAILURE_LIMIT; i += 1) await executor.execute('cap_flaky_counter', { fail: true }, OWNER.id);
    expect(tools.get('cap_flaky_counter')).toBeDefined();
    const last = await executor.execute('cap_flaky_counter', { fail: true }, OWNER.id);
    expect(last.content).toContain('turned itself off, and the owner was told');
    expect(tools.get('cap_flaky_counter')).toBeUndefined();
    expect((await executor.execute('cap_flaky_counter', {}, OWNER.id)).status).toBe('invalid');
    const notice = telegram.botMessages(OWNER.id).find((m) => m.text.includes('turned itself off'));
    expect(notice?.text).toContain(`failed ${FAILURE_LIMIT} times in a row`);
    expect(notice?.text).toContain('asked to fail');
    expect(await service.enable('flaky_counter')).toContain('is on again');
    expect((await executor.execute('cap_flaky_counter', {}, OWNER.id)).content).toBe('{"n":3}');
    // Every call was audited, the failed ones too.
    const audited = await db.selectFrom('audit_log').select('action').where('action', '=', 'tool:cap_flaky_counter').execute();
    expect(audited).toHaveLength(3 + 2 * (FAILURE_LIMIT - 1) + 1);
  });

  it('runs an approved network call only on the exact version the owner approved, never on a later one', async () => {
    const networked = (answer: number): Record<string, unknown> => ({
      name: 'pinned_lookup',
      description: `Looks something up (version answering ${answer}).`,
      code: `async function run(input) { return { answer: ${answer} }; }`,
      input_schema: { type: 'object', properties: {} },
      tests: [{ name: 'answers', input: {}, expect: { answer } }],
      permissions: { hosts: ['https://api.example.com'] },
    });
    await executor.execute('write_capability', networked(1), OWNER.id);
    expect(await approveLatest()).toContain('is active now');
    const asked = await executor.execute('cap_pinned_lookup', {}, OWNER.id);
    expect(asked.status).toBe('awaiting-approval');
    const callRequest = telegram.botMessages(OWNER.id).filter((m) => m.text?.includes('pinned_lookup v1') && m.text.includes('Approve this action?')).at(-1);
    expect(callRequest?.text).toContain('sha256 ');
    // A second version becomes active while the call waits for the owner.
    await executor.execute('write_capability', networked(2), OWNER.id);
    expect(await approveLatest()).toContain('is active now');
    const approve = callRequest?.replyMarkup?.inline_keyboard.flat().find((b) => b.text === 'Approve');
    telegram.pressButton(OWNER, OWNER.id, callRequest?.message_id ?? 0, approve && 'callback_data' in approve ? String(approve.callback_data) : '');
    await deliver();
    const answered = telegram.message(OWNER.id, callRequest?.message_id ?? 0)?.text ?? '';
    expect(answered).toContain('was asked for pinned_lookup v1, and v2 is active now');
    expect(answered).not.toContain('"answer":2');
    // Asked again, the request names v2, and approving it runs v2.
    expect((await executor.execute('cap_pinned_lookup', {}, OWNER.id)).status).toBe('awaiting-approval');
    expect(await approveLatest()).toContain('Ran pinned_lookup v2');
  });

  it('gives the model a limited number of fix rounds and never asks the owner for a failing version', async () => {
    const broken = { ...flaky('broken_one'), code: 'async function run() { return { n: 0 }; }' };
    for (let round = 1; round <= FIX_ROUNDS; round += 1) {
      const report = await executor.execute('write_capability', broken, OWNER.id);
      expect(report.content).toContain('did not pass validation');
      expect(report.content).toContain('✗ test “counts”: expected {"n":1}, got {"n":0}');
    }
    const refused = await executor.execute('write_capability', { ...flaky('broken_one') }, OWNER.id);
    expect(refused.content).toContain(`failed validation ${FIX_ROUNDS} times`);
    expect(telegram.botMessages(OWNER.id).filter((m) => m.text.includes('capability'))).toEqual([]);
    // A test whose input does not match the schema fails validation too, with a clear line.
    const mismatch = await executor.execute('write_capability', { ...flaky('other_one'), tests: [{ name: 'wrong input', input: { fail: 'yes' } }] }, OWNER.id);
    expect(mismatch.content).toContain('✗ test “wrong input”: its input does not match input_schema');
  });

  it('keeps each capability\'s key-value store to itself and keeps versions immutable', async () => {
    await executor.execute('write_capability', flaky('counter_a'), OWNER.id);
    await approveLatest();
    await executor.execute('write_capability', flaky('counter_b'), OWNER.id);
    await approveLatest();
    await executor.execute('cap_counter_a', {}, OWNER.id);
    await executor.execute('cap_counter_a', {}, OWNER.id);
    expect((await executor.execute('cap_counter_b', {}, OWNER.id)).content).toBe('{"n":1}');
    // A second tap on an answered approval does nothing; a declined proposal changes nothing.
    await executor.execute('write_capability', { ...flaky('counter_a'), description: 'Counts calls, version two of it.' }, OWNER.id);
    expect(await approveLatest('Decline')).toContain('Declined');
    const versions = await db.selectFrom('capability_versions').select(['name', 'version', 'status']).where('name', '=', 'counter_a').orderBy('version').execute();
    expect(versions).toEqual([
      { name: 'counter_a', version: 1, status: 'approved' },
      { name: 'counter_a', version: 2, status: 'declined' },
    ]);
    expect(tools.get('cap_counter_a')?.description).toContain('v1');
  });

  it('execute_sql reads at once, and a write waits for an approval that previews the statement and the row count', async () => {
    await db.insertInto('preferences').values([{ key: 'tone', value: 'warm' }, { key: 'units', value: 'metric' }]).execute();
    const read = await executor.execute('execute_sql', { statement: 'select key, value from preferences order by key' }, OWNER.id);
    expect(read.content).toContain('{"key":"tone","value":"warm"}');
    expect(read.content).toContain('(2 rows)');
    const secret = await executor.execute('execute_sql', { statement: 'select * from credentials' }, OWNER.id);
    expect(secret.content).toContain('permission denied');
    const write = await executor.execute('execute_sql', { statement: "update preferences set value = $1 where key = 'tone'", params: ['terse'] }, OWNER.id);
    expect(write.content).toContain('Waiting for the owner');
    const request = telegram.botMessages(OWNER.id).at(-1);
    expect(request?.text).toContain("update preferences set value = $1 where key = 'tone'");
    expect(request?.text).toContain('with ["terse"]');
    expect(request?.text).toContain('It changes 1 row now');
    expect((await db.selectFrom('preferences').select('value').where('key', '=', 'tone').executeTakeFirst())?.value).toBe('warm');
    expect(await approveLatest('Run it')).toContain('Done: 1 row changed.');
    expect((await db.selectFrom('preferences').select('value').where('key', '=', 'tone').executeTakeFirst())?.value).toBe('terse');
    const ddl = await executor.execute('execute_sql', { statement: 'drop table preferences' }, OWNER.id);
    expect(ddl.content).toContain('Not run');
  });
});
