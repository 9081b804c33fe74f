import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { ApprovalService } from '../../src/approvals/index.js';
import { currentThread, addTurn, endThread } from '../../src/assistant/conversation-repo.js';
import { forgetConversationsTool } from '../../src/assistant/forget-conversations-tool.js';
import { CardWriteWorker } from '../../src/board/card-write-worker.js';
import { createStructureSource } from '../../src/board/structure-source.js';
import { registerTaskTools } from '../../src/board/task-tools.js';
import { TaskService } from '../../src/board/task-service.js';
import { createTelegramChatMessenger, handlersComposer, type BotContext } from '../../src/channels/telegram/index.js';
import { CommandRegistry } from '../../src/commands/index.js';
import { migrateToLatest, openDatabase, type Db, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { OwnerPolicy, PauseSwitch, policyCommands, ToolExecutor } from '../../src/policy/index.js';
import { registerPreferenceTools } from '../../src/preferences/index.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, type DbKind, type TestDatabase } from '../support/databases.js';

export const OWNER = { id: 4242, first_name: 'Olive' };

/**
 * The action gate in process: the real registry (preference, board and conversation
 * tools), approvals over a fake Telegram, pause, the owner's policy, and a bot that
 * routes button taps and the /policy, /pause and /resume commands like the daemon does.
 */
export interface GateHarness {
  db: Db;
  telegram: FakeTelegram;
  tools: ToolRegistry;
  executor: ToolExecutor;
  policy: OwnerPolicy;
  pause: PauseSwitch;
  approvals: ApprovalService;
  tasks: TaskService;
  /** The clock of approvals and tasks; tests move it. */
  clock: { now: Date };
  /** Delivers every update the fake Telegram has queued to the bot, in order. */
  deliver(): Promise<void>;
  close(): Promise<void>;
}

export async function startGate(kind: DbKind): Promise<GateHarness> {
  const telegram = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name }] });
  const database: TestDatabase = await createTestDatabase(kind);
  const opened: OpenDatabase = await openDatabase(database.settings, silentLogger());
  const migrated = await migrateToLatest(opened.db);
  if (!migrated.ok) throw new Error(migrated.reason);
  const db = opened.db;
  const log = silentLogger();
  // Real time: task and settings rows meet the database clock; approvals follow this one.
  const clock = { now: new Date() };
  const now = () => clock.now;
  const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
  const tools = new ToolRegistry();
  const approvals = new ApprovalService({ db, chats: createTelegramChatMessenger(api), log, defaultTtlMs: 15 * 60_000, now });
  const pause = new PauseSwitch(db);
  await pause.load();
  const policy = new OwnerPolicy(db);
  const executor = new ToolExecutor({ registry: tools, approvals, pause, policy, db, log, undoTtlMs: 24 * 3_600_000 });
  registerPreferenceTools(tools, db);
  tools.register(forgetConversationsTool(db));
  const source = createStructureSource(db, log);
  const structure = () => source.current();
  const worker = new CardWriteWorker({ db, log, board: undefined, structure, now });
  const tasks = new TaskService({ db, log, board: undefined, worker, structure, now });
  registerTaskTools(tools, { tasks, timeZone: 'Europe/Berlin', now });

  const bot = new Bot<BotContext>(telegram.token, { botInfo: { ...(await api.getMe()) }, client: { apiRoot: telegram.apiRoot } });
  bot.use((ctx, next) => {
    ctx.channel = 'telegram';
    return next();
  });
  bot.use(handlersComposer(policyCommands({ db, pause, policy, tools, registry: new CommandRegistry(), timeZone: 'Europe/Berlin' }).use(approvals.handlers())));
  let offset = 0;

  return {
    db,
    telegram,
    tools,
    executor,
    policy,
    pause,
    approvals,
    tasks,
    clock,
    deliver: async () => {
      const updates: Update[] = await api.getUpdates({ offset, timeout: 0 });
      for (const update of updates) {
        offset = update.update_id + 1;
        await bot.handleUpdate(update);
      }
    },
    close: async () => {
      await opened.close();
      await telegram.close();
      await database.drop();
    },
  };
}

/** Past conversations (ended threads) with a few turns each; returns their ids. */
export async function seedPastThreads(db: Db, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const thread = await currentThread(db, OWNER.id);
    await addTurn(db, { threadId: thread.id, role: 'user', content: `question ${i}`, status: 'done' });
    await addTurn(db, { threadId: thread.id, role: 'assistant', content: `answer ${i}`, status: 'done' });
    await endThread(db, thread.id, new Date());
    ids.push(thread.id);
  }
  return ids;
}

export async function threadCount(db: Db): Promise<number> {
  return (await db.selectFrom('conversation_threads').select('id').execute()).length;
}
