import fs from 'node:fs';
import { PassThrough } from 'node:stream';
import os from 'node:os';
import path from 'node:path';
import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { createAgentsFeature, type AgentsFeature } from '../../src/agents/index.js';
import type { FeatureDeps } from '../../src/app/index.js';
import { ApprovalService } from '../../src/approvals/index.js';
import { createAssistantFeature } from '../../src/assistant/index.js';
import { createTelegramChatMessenger, createTelegramMessenger, createTelegramReplyChannel, handlersComposer, OwnerAuth, type BotContext } from '../../src/channels/telegram/index.js';
import { CommandRegistry } from '../../src/commands/index.js';
import { createTerminalReplyChannel, routeTerminalReplies, TerminalChannel } from '../../src/channels/terminal/index.js';
import { loadConfig, type Config } from '../../src/config/index.js';
import { migrateToLatest, openDatabase, type Db, type OpenDatabase } from '../../src/db/index.js';
import { ModelQueue, LlmError, type ChatRequest, type ChatResult, type LanguageModel, type ToolCall } from '../../src/llm/index.js';
import { silentLogger } from '../../src/log/index.js';
import { memoryContextProvider, MemoryService } from '../../src/memory/index.js';
import { registerMemoryTools } from '../../src/memory/memory-tools.js';
import { loadVectors, streamVectors } from '../../src/memory/memories-repo.js';
import { createEmbeddedVectorStore } from '../../src/memory/vector/index.js';
import { createDurableMessenger } from '../../src/messenger/index.js';
import { OwnerPolicy, PauseSwitch, ToolExecutor } from '../../src/policy/index.js';
import type { Feature } from '../../src/app/index.js';
import { createSkillsFeature } from '../../src/skills/index.js';
import { currentTimeTool } from '../../src/tools/builtin/current-time.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { fakeEmbedder } from '../memory/fake-embedder.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, type DbKind, type TestDatabase } from '../support/databases.js';

export const OWNER = { id: 4242, first_name: 'Olive' };

export type ScriptedReply = { text: string } | { toolCalls: Omit<ToolCall, 'id'>[] } | { fail: string };

/** A local model the test scripts: each call takes the next reply; every request is kept. */
export class ScriptedModel implements LanguageModel {
  readonly provider = 'fake';
  readonly model = 'scripted';
  readonly requests: ChatRequest[] = [];
  readonly #replies: ScriptedReply[] = [];

  push(...replies: ScriptedReply[]): void {
    this.#replies.push(...replies);
  }

  get pending(): number {
    return this.#replies.length;
  }

  async chat(request: ChatRequest, onDelta?: (text: string) => void): Promise<ChatResult> {
    this.requests.push(request);
    const reply = this.#replies.shift();
    if (!reply) throw new Error(`the scripted model got an unexpected call: ${request.messages.at(-1)?.content ?? ''}`);
    if ('fail' in reply) throw new LlmError({ kind: 'unreachable', provider: 'fake', model: 'scripted', message: reply.fail, hint: 'start it' });
    if ('toolCalls' in reply) {
      return { content: '', toolCalls: reply.toolCalls.map((call, index) => ({ id: `call-${this.requests.length}-${index}`, ...call })), model: 'scripted', bytesSent: 0, bytesReceived: 0 };
    }
    onDelta?.(reply.text);
    return { content: reply.text, toolCalls: [], model: 'scripted', bytesSent: 0, bytesReceived: 0 };
  }

  async probe() {
    return { ok: true as const, detail: 'scripted' };
  }
}

export interface AgentsHarness {
  db: Db;
  telegram: FakeTelegram;
  model: ScriptedModel;
  agents: AgentsFeature;
  skills: Feature;
  memory: MemoryService;
  /** The clock of the messenger, approvals and agents; tests move it. */
  clock: { now: Date };
  /** Agent template folders of this test. */
  dirs: { defaults: string; owner: string };
  /** The owner types a message (or a command) and the bot handles it. */
  say(text: string): Promise<void>;
  /** The owner taps a button on a bot message. */
  tap(messageId: number, data: string): Promise<void>;
  /** Terminal mode: types a line at the terminal and waits until the bot handled it. */
  type(line: string): Promise<void>;
  /** Terminal mode: everything the terminal printed so far. */
  screen(): string;
  /** The newest bot message whose text contains `needle`. */
  lastMessage(needle?: string): { text: string; message_id: number; buttons: { text: string; data: string }[] };
  close(): Promise<void>;
}

function testConfig(token: string): Config {
  const loaded = loadConfig({ TELEGRAM_BOT_TOKEN: token, USER_TIMEZONE: 'Europe/Berlin', TERMINAL: 'off' });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  return loaded.config;
}

/** The repository's agent templates, copied so a test may edit them. */
function copyTemplates(): { defaults: string; owner: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-agents-'));
  const defaults = path.join(root, 'agents');
  fs.cpSync(path.resolve('agents'), defaults, { recursive: true });
  return { defaults, owner: path.join(root, 'personal', 'agents') };
}

/**
 * Agents, skills, memory and the assistant in process over a fake Telegram, with a scripted
 * local model behind the real model queue and the real action gate.
 */
export async function startAgents(kind: DbKind, options: { terminal?: boolean } = {}): Promise<AgentsHarness> {
  const telegram = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name }] });
  const database: TestDatabase = await createTestDatabase(kind);
  const opened: OpenDatabase = await openDatabase(database.settings, silentLogger());
  const migrated = await migrateToLatest(opened.db);
  if (!migrated.ok) throw new Error(migrated.reason);
  const db = opened.db;
  const log = silentLogger();
  const config = testConfig(telegram.token);
  // Real time: rows meet the database clock; the messenger and approvals follow this one.
  const clock = { now: new Date() };
  const now = () => clock.now;
  const bot = new Bot<BotContext>(telegram.token, { botInfo: { ...(await new Api(telegram.token, { apiRoot: telegram.apiRoot }).getMe()) }, client: { apiRoot: telegram.apiRoot } });
  // One Bot API client for replies, approvals and proactive messages, as in the daemon.
  const api = bot.api;
  const input = new PassThrough();
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => {
    shown += chunk.toString('utf8');
  });
  let handledLines = 0;
  let lineWaiters: Array<() => void> = [];
  const terminal = options.terminal
    ? new TerminalChannel({
        input,
        output,
        userId: () => OWNER.id,
        onClose: () => undefined,
        handle: async (update) => {
          try {
            await bot.handleUpdate(update);
          } finally {
            handledLines += 1;
            for (const waiter of lineWaiters) waiter();
            lineWaiters = [];
          }
        },
      })
    : undefined;
  if (terminal) api.config.use(terminal.transformer());
  const tools = new ToolRegistry();
  const approvals = new ApprovalService({ db, chats: createTelegramChatMessenger(api), log, defaultTtlMs: 15 * 60_000, now });
  const pause = new PauseSwitch(db);
  await pause.load();
  const executor = new ToolExecutor({ registry: tools, approvals, pause, policy: new OwnerPolicy(db), db, log, undoTtlMs: 24 * 3_600_000 });
  tools.register(currentTimeTool(config.timeZone));
  const embedder = fakeEmbedder();
  const memory = new MemoryService({
    db,
    embedder,
    store: createEmbeddedVectorStore({ loadAll: () => streamVectors(db, embedder.modelName, clock.now), loadVectors: (ids) => loadVectors(db, ids, embedder.modelName, clock.now), log }),
    log,
    now,
  });
  memory.start();
  registerMemoryTools(tools, memory, config.timeZone);
  const memoryProvider = memoryContextProvider(memory, config.timeZone, log);

  const model = new ScriptedModel();
  const queue = new ModelQueue(model);
  const messenger = createDurableMessenger({ db, channel: createTelegramMessenger(api, () => OWNER.id), settle: () => undefined, clock: now, timeZone: config.timeZone, log });
  const registry = new CommandRegistry();
  const deps: FeatureDeps = { config, db, databaseKind: kind === 'pglite' ? 'embedded' : 'postgres', log, registry, auth: new OwnerAuth(db, OWNER.id), chats: createTelegramChatMessenger(api), replies: routeTerminalReplies(createTelegramReplyChannel(api, log), createTerminalReplyChannel(api, log)), ownerChatId: () => OWNER.id, messenger };
  const dirs = copyTemplates();
  const agents = createAgentsFeature({ ...deps, approvals, background: queue.lane('background'), providers: [memoryProvider], dirs, now });
  const skills = createSkillsFeature({ ...deps, tools, executor, cos: queue.lane('cos'), now });
  const assistant = createAssistantFeature({
    config,
    db,
    log,
    replies: routeTerminalReplies(createTelegramReplyChannel(api, log), createTerminalReplyChannel(api, log)),
    registry,
    tools,
    executor,
    approvals,
    pause,
    llm: queue.lane('foreground'),
    cloud: undefined,
    contextProviders: [memoryProvider],
    voice: agents.voice,
    personaPaths: { character: path.join(dirs.defaults, 'no-character.md'), aboutMe: path.join(dirs.defaults, 'no-about-me.md') },
  });
  await agents.feature.start?.();
  await skills.start?.();

  bot.use((ctx, next) => {
    ctx.channel = terminal?.isTerminalUpdate(ctx.update) ? 'terminal' : 'telegram';
    return next();
  });
  terminal?.start();
  bot.use(handlersComposer(approvals.handlers()));
  for (const feature of [agents.feature, skills, assistant]) if (feature.handlers) bot.use(handlersComposer(feature.handlers));
  let offset = 0;
  const deliver = async (): Promise<void> => {
    const updates: Update[] = await api.getUpdates({ offset, timeout: 0 });
    for (const update of updates) {
      offset = update.update_id + 1;
      await bot.handleUpdate(update);
    }
  };

  return {
    db,
    telegram,
    model,
    agents,
    skills,
    memory,
    clock,
    dirs,
    say: async (text) => {
      telegram.sendText(OWNER, text);
      await deliver();
    },
    type: async (line) => {
      const target = handledLines + 1;
      const handled = new Promise<void>((resolve) => {
        const check = (): void => (handledLines >= target ? resolve() : void lineWaiters.push(check));
        lineWaiters.push(check);
      });
      input.write(`${line}\n`);
      await handled;
    },
    screen: () => shown,
    tap: async (messageId, data) => {
      telegram.pressButton(OWNER, OWNER.id, messageId, data);
      await deliver();
    },
    lastMessage: (needle = '') => {
      const found = telegram
        .botMessages(OWNER.id)
        .filter((message) => message.text.includes(needle))
        .at(-1);
      if (!found) throw new Error(`no bot message contains “${needle}”; the bot said:\n${telegram.botMessages(OWNER.id).map((m) => m.text).join('\n---\n')}`);
      const buttons = (found.replyMarkup?.inline_keyboard ?? []).flat().map((button) => ({ text: button.text, data: 'callback_data' in button ? String(button.callback_data) : '' }));
      return { text: found.text, message_id: found.message_id, buttons };
    },
    close: async () => {
      await terminal?.stop();
      await memory.stop();
      await opened.close();
      await telegram.close();
      await database.drop();
      fs.rmSync(path.dirname(dirs.defaults), { recursive: true, force: true });
    },
  };
}
