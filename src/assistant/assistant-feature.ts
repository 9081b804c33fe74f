import type { Feature } from '../app/index.js';
import type { ApprovalService } from '../approvals/index.js';
import type { Config } from '../config/index.js';
import type { ContextProvider } from '../context/index.js';
import type { Db } from '../db/index.js';
import type { LanguageModel } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { ReplyChannel } from '../messenger/index.js';
import type { PauseSwitch, ToolExecutor } from '../policy/index.js';
import type { ToolRegistry } from '../tools/index.js';
import type { CommandRegistry } from '../commands/index.js';
import { assistantCommands } from './assistant-commands.js';
import { ChatEngine } from './chat-engine.js';
import { conversationContextProvider } from './conversation-provider.js';
import { DeepThink } from './deep-think.js';
import { forgetConversationsTool } from './forget-conversations-tool.js';
import { defaultPersonaPaths, SystemPrompt, type PersonaPaths } from './system-prompt.js';
import type { Voice } from './voice.js';

export interface AssistantDeps {
  config: Config;
  db: Db;
  log: Logger;
  /** Where answers are streamed and sent: Telegram, or the terminal for its chat. */
  replies: ReplyChannel;
  registry: CommandRegistry;
  tools: ToolRegistry;
  executor: ToolExecutor;
  approvals: ApprovalService;
  pause: PauseSwitch;
  /** The local model: every chat answer and every summary. */
  llm: LanguageModel;
  /** The cloud model, used only by /think after the owner approves. */
  cloud: LanguageModel | undefined;
  /** Memory, board, …: asked for context on every answer and for /think. */
  contextProviders: ContextProvider[];
  /** Defaults to agent-character.md and personal/about-me.md in the working directory. */
  personaPaths?: PersonaPaths;
  /** Who speaks each turn (the agents feature's foreground agent); Z when absent. */
  voice?: () => Promise<Voice>;
}

/**
 * Z in conversation: free text to the local model with history, context and tools; /new,
 * /retry, /why; and /think, the approval-gated cloud question. Installed last: it takes
 * every text message the other features leave.
 */
export function createAssistantFeature(deps: AssistantDeps): Feature {
  const log = deps.log.child({ part: 'assistant' });
  const conversation = conversationContextProvider(deps.db, log);
  const providers = [...deps.contextProviders, conversation];
  deps.tools.register(forgetConversationsTool(deps.db));
  const engine = new ChatEngine({
    db: deps.db,
    replies: deps.replies,
    llm: deps.llm,
    tools: deps.tools,
    executor: deps.executor,
    pause: deps.pause,
    providers,
    prompt: new SystemPrompt(deps.personaPaths ?? defaultPersonaPaths()),
    log,
    timeZone: deps.config.timeZone,
    numCtx: deps.config.ollama.numCtx,
    ...(deps.voice ? { voice: deps.voice } : {}),
  });
  const deepThink = new DeepThink({
    db: deps.db,
    replies: deps.replies,
    approvals: deps.approvals,
    cloud: deps.cloud,
    cloudBaseUrl: deps.config.deepThink?.baseUrl,
    providers,
    log: log.child({ part: 'deep-think' }),
    timeZone: deps.config.timeZone,
  });
  return {
    name: 'assistant',
    handlers: assistantCommands({ db: deps.db, llm: deps.llm, engine, deepThink, replies: deps.replies, registry: deps.registry, log, timeZone: deps.config.timeZone }),
    statusLines: async () => (deps.config.ollama.cloudModel ? [ollamaCloudWarning(deps.config.ollama.model)] : []),
  };
}

/** The /status line while the owner lets an Ollama cloud model answer every chat. */
export function ollamaCloudWarning(model: string): string {
  return `⚠️ ${model} is an Ollama cloud model: every chat leaves this machine for ollama.com (\`OLLAMA_ALLOW_CLOUD_MODEL=true\`). Set a local \`OLLAMA_MODEL\` to keep chats here.`;
}
