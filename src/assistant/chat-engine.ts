import type { ContextProvider } from '../context/index.js';
import type { Db } from '../db/index.js';
import { LlmError, type ChatMessage, type LanguageModel, type ToolSpec } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { ReplyChannel, ReplyStream } from '../messenger/index.js';
import type { PauseSwitch, ToolExecutor } from '../policy/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { addTurn, historyTurns, saveSummary, setTitle, setTurnStatus, type Thread, type Turn } from './conversation-repo.js';
import { selectContext, usageOf } from './context-selection.js';
import { distill } from './distiller.js';
import { fitNewest, planHistory } from './history-window.js';
import { localFailureText } from './llm-failure.js';
import type { SystemPrompt } from './system-prompt.js';
import { Z_VOICE, type Voice } from './voice.js';
import { estimateTokens, tokenBudget } from './token-budget.js';

export interface ChatEngineDeps {
  db: Db;
  /** Where answers are streamed and sent (Telegram or the terminal). */
  replies: ReplyChannel;
  llm: LanguageModel;
  tools: ToolRegistry;
  executor: ToolExecutor;
  pause: PauseSwitch;
  providers: ContextProvider[];
  prompt: SystemPrompt;
  log: Logger;
  timeZone: string;
  numCtx: number;
  now?: () => Date;
  /** Who speaks this turn (the foreground agent); Z when absent. */
  voice?: () => Promise<Voice>;
}

/** Where an answer goes and how it may be streamed there. */
export interface ChatTarget {
  chatId: number;
  privateChat: boolean;
}

export const MAX_TOOL_STEPS = 6;
export const MAX_INVALID_CALLS = 2;
const CONTEXT_TOP_K = 5;
const CONTEXT_MIN_SCORE = 0.3;
const CONTEXT_TIMEOUT_MS = 3_000;
const NOTE_REPEAT_MS = 3_600_000;

export type TurnOutcome = { ok: true; answer: string } | { ok: false; error: LlmError };

/**
 * One chat turn with the local model: picks context, fits history into the context window
 * (distilling older turns when needed), streams the answer, runs tool calls under the owner's
 * policy, stores the answer with what it used. A model failure is reported to the owner and
 * leaves the question stored as failed, for /retry. Nothing here ever calls a cloud model.
 */
export class ChatEngine {
  readonly #deps: ChatEngineDeps;
  readonly #now: () => Date;
  readonly #notesShown = new Map<string, number>();

  constructor(deps: ChatEngineDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
  }

  async answer(thread: Thread, turn: Turn, target: ChatTarget): Promise<TurnOutcome> {
    const { db, replies, log } = this.#deps;
    const sink = replies.stream(target.chatId, { privateChat: target.privateChat });
    try {
      const voice = (await this.#deps.voice?.()) ?? Z_VOICE;
      const context = await selectContext(this.#deps.providers, turn.content, 'chat', { topK: CONTEXT_TOP_K, minScore: CONTEXT_MIN_SCORE, timeoutMs: CONTEXT_TIMEOUT_MS }, log);
      const allows = voice.allows;
      const specs: ToolSpec[] = this.#deps.tools.specs().filter((spec) => allows === undefined || allows(spec.name));
      const messages = await this.#request(thread, turn, context.items, specs, voice);
      const { answer, toolsUsed, pausedBlocked } = await this.#toolLoop(messages, specs, target.chatId, sink, voice);
      const notes = this.#freshNotes(context.notes);
      if (pausedBlocked) notes.push('⏸ Actions are paused, so nothing was changed. /resume allows them again.');
      const shown = voice.label + (notes.length > 0 ? `${answer}\n\n${notes.map((note) => `_${note}_`).join('\n')}` : answer);
      await sink.finish(shown);
      await addTurn(db, { threadId: thread.id, role: 'assistant', content: answer, status: 'done', used: usageOf(context.items, toolsUsed, voice.name) });
      await setTurnStatus(db, turn.id, 'answered');
      await setTitle(db, thread.id, titleOf(turn.content));
      return { ok: true, answer };
    } catch (err) {
      if (!(err instanceof LlmError)) {
        await sink.abandon();
        throw err;
      }
      log.warn({ kind: err.kind, provider: err.provider, model: err.model, turnId: turn.id }, 'local model could not answer');
      await setTurnStatus(db, turn.id, 'failed');
      await sink.abandon();
      await replies.send(target.chatId, localFailureText(err));
      return { ok: false, error: err };
    }
  }

  /** A provider's degradation note is said once, then again only after NOTE_REPEAT_MS. */
  #freshNotes(notes: string[]): string[] {
    const now = Date.now();
    return notes.filter((note) => {
      const last = this.#notesShown.get(note);
      if (last !== undefined && now - last < NOTE_REPEAT_MS) return false;
      this.#notesShown.set(note, now);
      return true;
    });
  }

  /** System prompt, running summary, as much recent history as fits, and the new message. */
  async #request(thread: Thread, turn: Turn, items: Parameters<SystemPrompt['build']>[0]['items'], specs: ToolSpec[], voice: Voice): Promise<ChatMessage[]> {
    const { db, llm, prompt, pause, timeZone, numCtx, log } = this.#deps;
    const parts = { now: this.#now(), timeZone, items, paused: pause.paused, toolsAvailable: specs.length > 0, ...(voice.persona !== undefined ? { character: voice.persona } : {}) };
    const bare = await prompt.build({ ...parts, summary: null });
    const fixed = estimateTokens(bare) + estimateTokens(JSON.stringify(specs)) + estimateTokens(turn.content) + 16;
    const budget = tokenBudget(numCtx, fixed);
    let summary = thread.summary;
    const turns = await historyTurns(db, thread.id, thread.summarizedThrough, turn.id);
    const plan = planHistory(turns, summary ? estimateTokens(summary) + 16 : 0, budget.history);
    const lastFolded = plan.fold.at(-1);
    if (lastFolded) {
      const summaryTokens = Math.max(32, Math.floor(budget.history / 2));
      summary = await distill(llm, summary, plan.fold, summaryTokens);
      await saveSummary(db, thread.id, summary, lastFolded.id);
      log.info({ threadId: thread.id, folded: plan.fold.length, kept: plan.keep.length, summaryTokens }, 'conversation distilled');
    }
    const keep = fitNewest(plan.keep, budget.history - (summary ? estimateTokens(summary) + 16 : 0));
    const system = summary ? await prompt.build({ ...parts, summary }) : bare;
    return [
      { role: 'system', content: system },
      ...keep.map((past): ChatMessage => ({ role: past.role, content: past.content })),
      { role: 'user', content: turn.content },
    ];
  }

  async #toolLoop(
    messages: ChatMessage[],
    specs: ToolSpec[],
    chatId: number,
    sink: ReplyStream,
    voice: Voice,
  ): Promise<{ answer: string; toolsUsed: string[]; pausedBlocked: boolean }> {
    const { llm, executor } = this.#deps;
    const toolsUsed: string[] = [];
    let invalid = 0;
    let pausedBlocked = false;
    for (let step = 0; step < MAX_TOOL_STEPS; step += 1) {
      // The last step, and any step after too many invalid calls, must be an answer.
      const offerTools = specs.length > 0 && step < MAX_TOOL_STEPS - 1 && invalid < MAX_INVALID_CALLS;
      sink.reset();
      if (voice.label !== '') sink.push(voice.label);
      const result = await llm.chat({ messages, ...(offerTools ? { tools: specs } : {}) }, (text) => sink.push(text));
      if (!offerTools || result.toolCalls.length === 0) {
        const answer = result.content.trim();
        return { answer: answer === '' ? 'I have no answer to that. Could you put it another way?' : answer, toolsUsed, pausedBlocked };
      }
      messages.push({ role: 'assistant', content: result.content, toolCalls: result.toolCalls });
      for (const call of result.toolCalls) {
        // A specialist's tools are the registry filtered by its allowlist: anything else does not exist for it.
        const report =
          voice.allows === undefined || voice.allows(call.name)
            ? await executor.execute(call.name, call.arguments, chatId, { actor: voice.name })
            : { status: 'invalid' as const, content: `There is no tool named "${call.name}". Available: ${specs.map((spec) => spec.name).join(', ') || 'none'}.` };
        if (report.status === 'invalid') invalid += 1;
        if (report.status === 'paused') pausedBlocked = true;
        if (report.status === 'ran' || report.status === 'awaiting-approval') toolsUsed.push(call.name);
        this.#deps.log.info({ tool: call.name, status: report.status }, 'tool call');
        messages.push({ role: 'tool', content: report.content, toolName: call.name, toolCallId: call.id });
      }
    }
    return { answer: 'I ran out of steps before I could finish. Ask again, a little more specifically?', toolsUsed, pausedBlocked };
  }
}

function titleOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}
