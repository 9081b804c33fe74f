import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { Api } from 'grammy';
import type { Update, UserFromGetMe } from 'grammy/types';
import type { Config } from '../config/index.js';
import { acquirePidLock, appliedMigrations, databaseAnswers, migrateToLatest, openDatabase, type OpenDatabase } from '../db/index.js';
import type { Logger } from '../log/index.js';
import { createEffectJournal, ReceiptLog, type EffectJournal } from '../outbox/index.js';
import { countPending, pendingItems, UpdateDispatcher } from '../updates/index.js';
import { createTerminalReplyChannel, routeTerminalReplies, TERMINAL_CHAT_ID, TerminalChannel } from '../channels/terminal/index.js';
import {
  buildBot,
  coreCommands,
  createTelegramChatMessenger,
  createTelegramMessenger,
  createTelegramReplyChannel,
  createUpdateHandler,
  explainFatal,
  fallbacks,
  fetchBotInfo,
  handlersComposer,
  IgnoredUpdates,
  offlineBotInfo,
  OwnerAuth,
  TelegramPoller,
} from '../channels/telegram/index.js';
import { startHealthServer } from '../health/index.js';
import { createDurableMessenger } from '../messenger/index.js';
import { renderStatus, runProbes } from '../status/index.js';
import { CommandRegistry } from '../commands/index.js';
import { migrations } from '../db/migrations/index.js';
import type { Feature, FeatureDeps } from './feature.js';
import { startRetention } from './retention.js';
import { logDataDirOutcome, preparePrivateDataDir } from './data-dir.js';
import { StartupPhases } from './startup-phases.js';

export interface AppOptions {
  config: Config;
  log: Logger;
  version: string;
  /** stdin/stdout for the terminal channel, when it is on; `interactive` when a person types at a TTY. */
  terminal: { input: Readable; output: Writable; interactive?: boolean } | undefined;
  /** Builds the features (commands, handlers, services) on top of the spine. */
  features: (deps: FeatureDeps) => Feature[];
  /** Called when the app must stop on its own (fatal Telegram error, terminal closed). */
  onFatal: (err: Error) => void;
  onTerminalClosed: () => void;
  /** Human lines about slow start-up steps (stderr); the log gets its own structured lines. */
  progress?: (line: string) => void;
  /** False only for the pipeline benchmark: outgoing messages are not paced to Telegram's limits. Default true. */
  pacedSending?: boolean;
}

export class StartupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** The one stateful shell: opens everything in order and closes it in reverse. */
export class App {
  readonly #options: AppOptions;
  readonly #startedAt = Date.now();
  #database: OpenDatabase | undefined;
  #dispatcher: UpdateDispatcher<Update> | undefined;
  #poller: TelegramPoller | undefined;
  #terminal: TerminalChannel | undefined;
  #health: { port: number; close: () => Promise<void> } | undefined;
  #stopRetention: (() => void) | undefined;
  #features: Feature[] = [];
  #receipts: ReceiptLog | undefined;
  #releaseInstanceLock: (() => void) | undefined;
  #journal: EffectJournal | undefined;
  #stopping: Promise<void> | undefined;

  constructor(options: AppOptions) {
    this.#options = options;
  }

  get healthPort(): number | undefined {
    return this.#health?.port;
  }

  /** Opens everything in order; each step is one method below. */
  async start(): Promise<void> {
    const { config } = this.#options;
    const phases = new StartupPhases(this.#startedAt);
    this.#claimDataDir();
    const token = config.telegram.token;
    // getMe is a network round trip: ask while the database opens, not after.
    const botInfoAsked = token ? fetchBotInfo(token, config.telegram.apiRoot, this.#options.log) : Promise.resolve(offlineBotInfo());
    botInfoAsked.catch(() => undefined); // awaited below; if opening the database fails first, that error is the one reported
    const database = await this.#openDatabase(phases);
    const { db } = database;
    const auth = new OwnerAuth(db, config.telegram.ownerId);
    const { pairingCode } = await auth.init();
    const journal = this.#openJournal();

    // The terminal hands its lines to the same handler as Telegram's updates, built below.
    const router: { handle?: ReturnType<typeof createUpdateHandler> } = {};
    const terminal = this.#createTerminal(auth, async (update) => {
      await router.handle?.(update);
    });
    const isTerminal = (update: Update): boolean => terminal?.isTerminalUpdate(update) ?? false;

    const botInfo = await botInfoAsked;
    const { bot, registry, ignored } = this.#buildBot({ database, auth, journal, botInfo, terminal, isTerminal });
    const handle = createUpdateHandler(bot, auth, this.#options.log.child({ part: 'handler' }), isTerminal, ignored);
    router.handle = handle;
    const dispatcher = new UpdateDispatcher<Update>({ db, journal, log: this.#options.log.child({ part: 'dispatcher' }), handle, concurrency: config.handlerConcurrency });
    this.#dispatcher = dispatcher;
    phases.mark('spine');

    await this.#startFeatures();
    phases.mark('features');
    await this.#resumeUnfinished(db, dispatcher);
    if (token) await this.#startPolling(bot.api, registry, db, dispatcher);
    await this.#startHealth(db);
    this.#stopRetention = startRetention(db, config.retentionDays, this.#options.log.child({ part: 'retention' }));
    phases.mark('polling');
    this.#announceReady(database, token, botInfo, terminal, pairingCode, phases);
    terminal?.start();
  }

  /** One daemon per data folder: its delivery receipts (and PGlite, when embedded) live there. */
  #claimDataDir(): void {
    const { config, log } = this.#options;
    logDataDirOutcome(preparePrivateDataDir(config.dataDir), config.dataDir, log);
    this.#releaseInstanceLock = acquirePidLock(
      path.join(config.dataDir, 'openzero.pid'),
      (pid) => new StartupError(`Another openzero process (pid ${pid}) is running with DATA_DIR ${config.dataDir}. Stop it first, or give this one its own DATA_DIR.`),
    );
  }

  async #openDatabase(phases: StartupPhases): Promise<OpenDatabase> {
    const { config, log } = this.#options;
    const database = await openDatabase(config.database, log.child({ part: 'db' }), this.#options.progress);
    this.#database = database;
    phases.mark('database');
    const migrated = await migrateToLatest(database.db);
    phases.mark('migrations');
    if (!migrated.ok) throw new StartupError(`Database migration ${migrated.failed ?? '(unknown)'} failed: ${migrated.reason}`);
    if (migrated.applied.length > 0) log.info({ applied: migrated.applied }, 'database migrated');
    return database;
  }

  /** Each feature's start, in order (routines read the others' jobs when they start). */
  async #startFeatures(): Promise<void> {
    const { log } = this.#options;
    for (const feature of this.#features) {
      const startedAt = Date.now();
      await feature.start?.();
      log.debug({ feature: feature.name, ms: Date.now() - startedAt }, 'feature started');
    }
  }

  /** Delivery receipts of the previous run, and the journal that records this run's. */
  #openJournal(): EffectJournal {
    const { config, log } = this.#options;
    const receipts = new ReceiptLog(path.join(config.dataDir, 'outbox-receipts.jsonl'));
    const loaded = receipts.open();
    this.#receipts = receipts;
    if (loaded.receipts + loaded.attemptsWithoutReceipt > 0) log.info(loaded, 'delivery receipts of unfinished updates loaded');
    const journal = createEffectJournal(receipts, log.child({ part: 'outbox' }));
    this.#journal = journal;
    return journal;
  }

  #createTerminal(auth: OwnerAuth, handle: (update: Update) => Promise<void>): TerminalChannel | undefined {
    const options = this.#options.terminal;
    const terminal = options
      ? new TerminalChannel({ ...options, handle, userId: () => auth.ownerId ?? 0, onClose: () => this.#options.onTerminalClosed() })
      : undefined;
    this.#terminal = terminal;
    return terminal;
  }

  /** The bot with the core commands, every feature's handlers and the fallbacks, in that order. */
  #buildBot(parts: {
    database: OpenDatabase;
    auth: OwnerAuth;
    journal: EffectJournal;
    botInfo: UserFromGetMe;
    terminal: TerminalChannel | undefined;
    isTerminal: (update: Update) => boolean;
  }): { bot: ReturnType<typeof buildBot>; registry: CommandRegistry; ignored: IgnoredUpdates } {
    const { config, log } = this.#options;
    const { database, auth, journal, botInfo, terminal, isTerminal } = parts;
    const ignored = new IgnoredUpdates();
    const bot = buildBot({
      token: config.telegram.token ?? '0:terminal-only',
      apiRoot: config.telegram.apiRoot,
      botInfo,
      journal,
      auth,
      log: log.child({ part: 'bot' }),
      isTerminal,
      outerTransformers: terminal ? [terminal.transformer()] : [],
      pollTimeoutSeconds: config.telegram.pollTimeoutSeconds,
      ownerInGroups: config.telegram.ownerInGroups,
      ignored,
      paced: this.#options.pacedSending !== false,
    });

    const registry = new CommandRegistry();
    const replyLog = log.child({ part: 'assistant' });
    // Where proactive messages (reminders, briefings, notices) go: the owner's Telegram chat, or,
    // when Telegram is not configured, the terminal, the only place the owner is.
    const ownerChatId = (): number | undefined => auth.ownerId ?? (config.telegram.token === undefined && terminal ? TERMINAL_CHAT_ID : undefined);
    const deps: FeatureDeps = {
      config,
      db: database.db,
      databaseKind: database.kind,
      log,
      registry,
      auth,
      chats: createTelegramChatMessenger(bot.api),
      replies: routeTerminalReplies(createTelegramReplyChannel(bot.api, replyLog), createTerminalReplyChannel(bot.api, replyLog)),
      ownerChatId,
      messenger: createDurableMessenger({
        db: database.db,
        channel: createTelegramMessenger(bot.api, ownerChatId),
        settle: (scope) => journal.settle(scope),
        clock: () => new Date(),
        timeZone: config.timeZone,
        log: log.child({ part: 'messenger' }),
      }),
      ...(database.dumpDataDir ? { dumpEmbeddedDataDir: database.dumpDataDir } : {}),
    };
    const core = coreCommands({ registry, statusText: () => this.#statusText() });
    this.#features = this.#options.features(deps);
    bot.use(core);
    for (const feature of this.#features) if (feature.handlers) bot.use(handlersComposer(feature.handlers, ignored));
    bot.use(fallbacks(ignored));
    return { bot, registry, ignored };
  }

  /** Whatever a previous run stored but did not finish goes first. */
  async #resumeUnfinished(db: OpenDatabase['db'], dispatcher: UpdateDispatcher<Update>): Promise<void> {
    const unfinished = await pendingItems<Update>(db);
    if (unfinished.length > 0) this.#options.log.info({ count: unfinished.length }, 'resuming unfinished updates');
    dispatcher.enqueue(unfinished);
  }

  async #startPolling(api: Api, registry: CommandRegistry, db: OpenDatabase['db'], dispatcher: UpdateDispatcher<Update>): Promise<void> {
    const { config, log } = this.#options;
    // The command menu is cosmetic: register it alongside the first poll instead of before it.
    void api.setMyCommands(registry.menu()).catch((err: unknown) => log.warn({ err }, 'could not register the command menu'));
    const poller = new TelegramPoller({
      api,
      db,
      log: log.child({ part: 'poller' }),
      timeoutSeconds: config.telegram.pollTimeoutSeconds,
      allowedUpdates: ['message', 'edited_message', 'callback_query'],
      onStored: (items) => dispatcher.enqueue(items),
      onFatal: (err) => this.#options.onFatal(err),
    });
    this.#poller = poller;
    try {
      await poller.start();
    } catch (err) {
      throw explainFatal(err) ?? err;
    }
  }

  async #startHealth(db: OpenDatabase['db']): Promise<void> {
    const { config, log } = this.#options;
    if (config.health.port < 0) return;
    this.#health = await startHealthServer({
      host: config.health.host,
      port: config.health.port,
      log: log.child({ part: 'health' }),
      facts: async () => ({
        database: await databaseAnswers(db),
        polling: this.#pollingState(),
        uptimeSeconds: Math.round((Date.now() - this.#startedAt) / 1000),
        version: this.#options.version,
      }),
    });
  }

  #announceReady(
    database: OpenDatabase,
    token: string | undefined,
    botInfo: UserFromGetMe,
    terminal: TerminalChannel | undefined,
    pairingCode: string | undefined,
    phases: StartupPhases,
  ): void {
    const { log } = this.#options;
    log.info(
      {
        database: database.kind,
        telegram: token ? `@${botInfo.username}` : 'not configured',
        terminal: Boolean(terminal),
        healthPort: this.#health?.port,
        readyMs: Date.now() - this.#startedAt,
        phasesMs: phases.durations(),
        // Since Node's own start: adds Node's boot and loading the modules to readyMs.
        processMs: Math.round(performance.now()),
      },
      'openzero is ready',
    );
    if (pairingCode && token) {
      const line = `Pairing code: ${pairingCode}. Send "/start ${pairingCode}" to @${botInfo.username} in Telegram to become its owner (or set TELEGRAM_OWNER_ID).`;
      log.info({ pairingCode, bot: botInfo.username }, 'no owner yet: waiting for the pairing code');
      terminal?.notice(line);
    }
  }

  /** Stops taking updates, lets in-flight handlers finish (bounded), closes everything. */
  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<void> {
    const { log, config } = this.#options;
    this.#stopRetention?.();
    await this.#poller?.stop().catch((err: unknown) => log.warn({ err }, 'poller stop failed'));
    await this.#terminal?.stop();
    if (this.#dispatcher) {
      const finished = await this.#dispatcher.drain(config.shutdownGraceMs);
      if (!finished) log.warn({ graceMs: config.shutdownGraceMs }, 'handlers still running at shutdown; their updates stay pending and run at next start');
    }
    for (const feature of [...this.#features].reverse()) {
      await feature.stop?.().catch((err: unknown) => log.warn({ err, feature: feature.name }, 'feature stop failed'));
    }
    await this.#health?.close();
    this.#receipts?.close();
    await this.#database?.close().catch((err: unknown) => log.warn({ err }, 'database close failed'));
    this.#releaseInstanceLock?.();
    log.info('openzero stopped');
  }

  #pollingState(): 'alive' | 'stale' | 'off' {
    if (!this.#poller) return 'off';
    return this.#poller.alive ? 'alive' : 'stale';
  }

  async #statusText(): Promise<string> {
    const database = this.#database;
    if (!database) return 'Starting up…';
    const { db } = database;
    const [applied, inboxPending, outboxPending, services, extra] = await Promise.all([
      appliedMigrations(db),
      countPending(db),
      Promise.resolve(this.#journal?.pendingCount ?? 0),
      runProbes(this.#features.flatMap((feature) => feature.probes ?? [])),
      Promise.all(this.#features.map((feature) => feature.statusLines?.() ?? Promise.resolve([]))),
    ]);
    const text = renderStatus({
      version: this.#options.version,
      uptimeMs: Date.now() - this.#startedAt,
      database: database.kind,
      migrationsApplied: applied.length,
      migrationsTotal: Object.keys(migrations).length,
      inboxPending,
      outboxPending,
      polling: this.#pollingState(),
      services,
    });
    const lines = extra.flat();
    return lines.length > 0 ? `${text}\n\n${lines.join('\n')}` : text;
  }
}
