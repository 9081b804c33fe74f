import type { Feature, FeatureDeps } from './feature.js';
import { ApprovalService } from '../approvals/index.js';
import { OwnerPolicy, PauseSwitch, policyCommands, ToolExecutor } from '../policy/index.js';
import { registerPreferenceTools } from '../preferences/index.js';
import { ToolRegistry } from '../tools/index.js';
import type { ContextProvider } from '../context/index.js';
import { createOllamaModel, createOpenAiCompatibleModel, ModelQueue, type LanguageModel } from '../llm/index.js';
import { currentTimeTool } from '../tools/builtin/current-time.js';
import { createMemoryFeature } from '../memory/index.js';
import { createAssistantFeature } from '../assistant/index.js';
import { createBoardFeature } from '../board/index.js';
import { createRoutinesFeature } from '../routines/index.js';
import { createBackupFeature } from '../backup/index.js';
import { createDoctorFeature } from '../doctor/index.js';
import { createGoogleFeature } from '../google/index.js';
import { createRemindersFeature } from '../reminders/index.js';
import { createCapabilitiesFeature } from '../capabilities/index.js';
import { createAgentsFeature } from '../agents/index.js';
import { createSkillsFeature } from '../skills/index.js';

/** What features share beyond the spine: tools, approvals, pause-all. */
export interface SharedServices extends FeatureDeps {
  tools: ToolRegistry;
  pause: PauseSwitch;
  approvals: ApprovalService;
  executor: ToolExecutor;
  /** The local model (Ollama) at the owner's priority: chat, distillation, commands. */
  llm: LanguageModel;
  /** The same model, queued behind the owner's chat and the COS: heartbeats, mail summaries. */
  background: LanguageModel;
  /** The same model for the chief of staff's own work: briefings, skills. */
  cos: LanguageModel;
  /** The one queue in front of the local model. */
  modelQueue: ModelQueue;
  /** The cloud model for /think, only when DEEP_THINK_* is configured. Never called without an approval. */
  cloud: LanguageModel | undefined;
}

const UNDO_TTL_MS = 24 * 3_600_000;

/** Every feature on top of the spine, in the order their handlers see updates. */
export function buildFeatures(deps: FeatureDeps): Feature[] {
  const tools = new ToolRegistry();
  const pause = new PauseSwitch(deps.db);
  const ownerPolicy = new OwnerPolicy(deps.db);
  const approvals = new ApprovalService({ db: deps.db, chats: deps.chats, log: deps.log.child({ part: 'approvals' }), defaultTtlMs: deps.config.approvalTtlMs });
  const executor = new ToolExecutor({ registry: tools, approvals, pause, policy: ownerPolicy, db: deps.db, log: deps.log.child({ part: 'tools' }), undoTtlMs: UNDO_TTL_MS });
  const { ollama, deepThink } = deps.config;
  const ollamaModel = createOllamaModel({
    baseUrl: ollama.baseUrl,
    model: ollama.model,
    numCtx: ollama.numCtx,
    keepAlive: ollama.keepAlive,
    connectTimeoutMs: ollama.connectTimeoutMs,
    requestTimeoutMs: ollama.timeoutMs,
    log: deps.log.child({ part: 'ollama' }),
  });
  // One queue for the local model: the owner's chat first, then the COS, then background work.
  const modelQueue = new ModelQueue(ollamaModel);
  const llm = modelQueue.lane('foreground');
  const cloud = deepThink
    ? createOpenAiCompatibleModel({ baseUrl: deepThink.baseUrl, apiKey: deepThink.apiKey, model: deepThink.model, timeoutMs: deepThink.timeoutMs, log: deps.log.child({ part: 'deep-think' }) })
    : undefined;
  const shared: SharedServices = { ...deps, tools, pause, approvals, executor, llm, cloud, modelQueue, background: modelQueue.lane('background'), cos: modelQueue.lane('cos') };

  tools.register(currentTimeTool(deps.config.timeZone));
  registerPreferenceTools(tools, deps.db);

  let stopSweep: (() => void) | undefined;
  const policy: Feature = {
    name: 'policy',
    probes: [
      {
        name: 'Ollama',
        configured: true,
        check: () => llm.probe(),
      },
      {
        name: 'Deep think (cloud)',
        configured: cloud !== undefined,
        notConfiguredNote: 'not configured, so /think is off (set DEEP_THINK_BASE_URL, DEEP_THINK_API_KEY and DEEP_THINK_MODEL to use it)',
        // Reachability is not probed: a probe would be traffic to the cloud the owner did not ask for.
        check: async () => ({ ok: true, detail: `${cloud?.provider ?? ''} ${cloud?.model ?? ''}, contacted only after you approve` }),
      },
    ],
    handlers: policyCommands({ db: deps.db, pause, policy: ownerPolicy, tools, registry: deps.registry, timeZone: deps.config.timeZone }).use(approvals.handlers()),
    statusLines: async () => (pause.paused ? ['⏸ Paused: proactive and tool actions are off (/resume).'] : []),
    start: async () => {
      await pause.load();
      stopSweep = approvals.startExpirySweep();
    },
    stop: async () => stopSweep?.(),
  };
  const features: Feature[] = [policy, ...featuresOnTop(shared)];
  // Backups and routines go before the assistant, which takes every free-text message;
  // routines read every feature's jobs and briefing sections.
  features.splice(features.length - 1, 0, createBackupFeature(deps), createDoctorFeature(deps));
  features.splice(features.length - 1, 0, createRoutinesFeature({ ...shared, llm: shared.cos, features: () => features }));
  return features;
}

/**
 * Memory, board, Google, reminders, agents and assistant. Each slot is filled by its feature; the assistant
 * comes last because it takes every free-text message the others leave.
 */
function featuresOnTop(shared: SharedServices): Feature[] {
  const providers: ContextProvider[] = [];
  const features: Feature[] = [];
  const memory = createMemoryFeature(shared);
  features.push(memory.feature);
  providers.push(memory.contextProvider);
  const board = createBoardFeature(shared);
  features.push(board.feature);
  providers.push(board.contextProvider);
  features.push(createGoogleFeature({ ...shared, llm: shared.background }));
  features.push(createRemindersFeature(shared));
  features.push(createCapabilitiesFeature(shared));
  // Before the assistant: onboarding answers are free text, and it decides who speaks.
  const agents = createAgentsFeature({ ...shared, providers: [memory.contextProvider] });
  features.push(agents.feature);
  features.push(createSkillsFeature(shared));
  features.push(createAssistantFeature({ ...shared, contextProviders: providers, voice: agents.voice }));
  return features;
}
