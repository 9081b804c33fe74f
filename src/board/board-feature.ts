import { randomUUID } from 'node:crypto';
import type { Feature } from '../app/index.js';
import type { CommandRegistry } from '../commands/index.js';
import type { Config } from '../config/index.js';
import type { ContextProvider } from '../context/index.js';
import type { Db } from '../db/index.js';
import type { LanguageModel } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { OwnerMessenger } from '../messenger/index.js';
import type { PauseSwitch } from '../policy/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { createPlankaClient, type PlankaClient } from './planka/index.js';
import { markReminded, writeQueueDepth, staleToldOps, takeLandedNotices } from './card-write-queue-repo.js';
import { CardWriteWorker } from './card-write-worker.js';
import { PlankaTaskBoard } from './planka/planka-task-board.js';
import { BoardHealth } from './board-health.js';
import { projectCommands } from './project-commands.js';
import { createStructureSource } from './structure-source.js';
import { taskCommands } from './task-commands.js';
import { TaskService } from './task-service.js';
import { registerTaskTools } from './task-tools.js';
import { tasksContextProvider } from './tasks-context.js';

/** What the board feature needs from the composition root (a subset of SharedServices). */
export interface BoardFeatureDeps {
  config: Pick<Config, 'planka' | 'timeZone'>;
  db: Db;
  log: Logger;
  registry: CommandRegistry;
  /** Notices about queued writes go to the owner through it (kind `board` for quiet hours). */
  messenger: OwnerMessenger;
  ownerChatId: () => number | undefined;
  tools: ToolRegistry;
  llm: LanguageModel;
  pause: PauseSwitch;
}

export interface BoardFeatureOptions {
  now?: () => Date;
  /** Injected in tests; built from config.planka otherwise. */
  planka?: PlankaClient;
  /** How often queued writes are retried when due. */
  tickMs?: number;
}

export interface BoardFeature {
  feature: Feature;
  contextProvider: ContextProvider;
  tasks: TaskService;
  worker: CardWriteWorker;
}

const PLANKA_TIMEOUT_MS = 10_000;
/** The owner hears once more about writes that are still queued after this long. */
const STILL_FAILING_AFTER_MS = 15 * 60_000;

/**
 * Tasks on the Planka board (or locally when Planka is not configured), the project
 * tree, their commands, tools, context provider, probe and the retry loop for queued writes.
 */
export function createBoardFeature(deps: BoardFeatureDeps, options: BoardFeatureOptions = {}): BoardFeature {
  const now = options.now ?? (() => new Date());
  const log = deps.log.child({ part: 'board' });
  const { planka: plankaConfig, timeZone } = deps.config;
  const client =
    options.planka ?? (plankaConfig ? createPlankaClient({ baseUrl: plankaConfig.baseUrl, auth: plankaConfig.auth, timeoutMs: PLANKA_TIMEOUT_MS, log }) : undefined);
  const board = client
    ? new PlankaTaskBoard(client, { log, destination: plankaConfig ? new URL(plankaConfig.baseUrl).host : 'planka', auth: plankaConfig?.auth.kind ?? 'api-key' })
    : undefined;
  const structureSource = createStructureSource(deps.db, log);
  const structure = () => structureSource.current();
  const health = new BoardHealth();
  const worker = new CardWriteWorker({ db: deps.db, log, board, structure, now, health });
  const tasks = new TaskService({ db: deps.db, log, board, worker, structure, now, health });

  registerTaskTools(deps.tools, { tasks, timeZone, now });

  const tell = (text: string) => deps.messenger.send({ text }, { scope: `board:${randomUUID()}` });

  async function notices(): Promise<void> {
    // Queued writes the owner asked for are applied even while paused; only these notices wait.
    // Nobody to tell yet: the notices stay where they are until the owner's chat is known.
    if (deps.ownerChatId() === undefined || deps.pause.paused) return;
    const problem = health.takeUntold();
    if (problem) {
      await tell(`Planka refuses every task change: ${problem.message}. Fix: ${problem.fix}. Your task changes are kept and applied once that is fixed; I will not repeat this.`);
    }
    const landed = await takeLandedNotices(deps.db);
    if (landed > 0) await tell(`Planka is back: ${landed} queued task change${landed === 1 ? '' : 's'} applied.`);
    const stale = await staleToldOps(deps.db, new Date(now().getTime() - STILL_FAILING_AFTER_MS));
    if (stale.length > 0) {
      await markReminded(deps.db, stale.map((op) => op.id), now());
      const reason = stale.at(-1)?.lastError ?? 'no answer';
      await tell(`Planka is still failing: ${stale.length} task change${stale.length === 1 ? '' : 's'} waiting (${reason}). I keep retrying.`);
    }
  }

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  const loop = (ignoreBackoff: boolean): void => {
    if (running) return;
    running = (async () => {
      try {
        await worker.tick({ ignoreBackoff });
        await notices();
      } catch (err) {
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'card write queue pass failed');
      } finally {
        running = undefined;
      }
    })();
  };

  const feature: Feature = {
    name: 'board',
    handlers: taskCommands({ registry: deps.registry, tasks, llm: deps.llm, timeZone, now, log }).use(projectCommands({ db: deps.db, registry: deps.registry, structure, now })),
    probes: [
      {
        name: 'Planka',
        configured: client !== undefined,
        notConfiguredNote: 'not configured, so tasks are kept locally (see /tasks; set PLANKA_BASE_URL and a key or login to use a board)',
        check: async () => {
          if (!board) return { ok: false, detail: 'not configured' };
          const probe = await board.probe();
          const depth = await writeQueueDepth(deps.db);
          const queued = `${depth.pending} write${depth.pending === 1 ? '' : 's'} queued`;
          // Planka may answer the probe and still refuse every write (a Board User may not create the project).
          const blocking = health.current();
          if (probe.ok && blocking) return { ok: false, refused: true, detail: `${blocking.message} · ${queued}`, fix: blocking.fix };
          if (probe.ok) return { ok: true, detail: `${probe.projects} project${probe.projects === 1 ? '' : 's'} · ${queued}` };
          if (probe.fix) return { ok: false, refused: true, detail: `${probe.message} · ${queued}`, fix: probe.fix };
          return { ok: false, detail: `${probe.message} · ${queued}` };
        },
      },
    ],
    statusLines: async () => {
      const depth = await writeQueueDepth(deps.db);
      const lines = [`Card write queue: ${depth.pending} pending${depth.failed > 0 ? `, ${depth.failed} failed` : ''}${client ? '' : ' (Planka not configured: kept locally)'}`];
      const problem = structureSource.problem();
      if (problem) lines.push(`Board structure preference ignored: ${problem}`);
      return lines;
    },
    start: async () => {
      if (!client) return;
      // A restart is a fresh chance for everything queued, whatever its backoff said.
      loop(true);
      timer = setInterval(() => loop(false), options.tickMs ?? 1_000);
      timer.unref();
    },
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };

  return { feature, contextProvider: tasksContextProvider({ db: deps.db, log, timeZone, now }), tasks, worker };
}
