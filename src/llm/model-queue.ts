import type { ChatRequest, ChatResult, LanguageModel, ProbeResult } from './language-model.js';
import { LlmError } from './llm-error.js';

/**
 * Who is waiting for the local model, most urgent first: the owner's foreground chat,
 * then the chief of staff's own work (skills, urgent notes), then background work
 * (heartbeats, summaries, classification).
 */
export type ModelPriority = 'foreground' | 'cos' | 'background';

const RANK: Record<ModelPriority, number> = { foreground: 0, cos: 1, background: 2 };

/** How often one background call may be pushed back before it is let finish regardless. */
export const MAX_PREEMPTIONS = 20;

interface Job {
  priority: ModelPriority;
  seq: number;
  request: ChatRequest;
  onDelta: ((text: string) => void) | undefined;
  resolve: (result: ChatResult) => void;
  reject: (error: unknown) => void;
  /** Aborts the running call when a more urgent one arrives (background only). */
  controller?: AbortController;
  preempted: boolean;
  preemptions: number;
  /** A call that already streamed text cannot be restarted without repeating it. */
  streamed: boolean;
  detachCallerAbort?: () => void;
}

export interface ModelQueueEvents {
  /** A call starts on the model (again, after a preemption). */
  started?: (priority: ModelPriority) => void;
  /** A running background call was stopped to let a more urgent one go first; it is re-queued. */
  preempted?: (priority: ModelPriority) => void;
}

/**
 * The one queue in front of the local model: one call at a time, the most urgent first
 * (FIFO within a priority). A background call that is running when the owner's chat or
 * the COS needs the model is aborted and re-queued at the head of its class, so a
 * heartbeat never delays a reply; it is restarted from scratch later (at most
 * MAX_PREEMPTIONS times). `lane(priority)` gives a LanguageModel that queues at that priority.
 */
export class ModelQueue {
  readonly #model: LanguageModel;
  readonly #events: ModelQueueEvents;
  readonly #waiting: Job[] = [];
  #running: Job | undefined;
  #seq = 0;

  constructor(model: LanguageModel, events: ModelQueueEvents = {}) {
    this.#model = model;
    this.#events = events;
  }

  lane(priority: ModelPriority): LanguageModel {
    const model = this.#model;
    const lane: LanguageModel = {
      provider: model.provider,
      model: model.model,
      chat: (request, onDelta) => this.#enqueue(priority, request, onDelta),
      probe: (): Promise<ProbeResult> => model.probe(),
    };
    if (model.serializeRequest) {
      const serialize = model.serializeRequest.bind(model);
      lane.serializeRequest = (request) => serialize(request);
    }
    return lane;
  }

  /** Calls waiting per priority, and the one running: for /status and tests. */
  snapshot(): { running: ModelPriority | undefined; waiting: ModelPriority[] } {
    return { running: this.#running?.priority, waiting: this.#ordered().map((job) => job.priority) };
  }

  #enqueue(priority: ModelPriority, request: ChatRequest, onDelta: ((text: string) => void) | undefined): Promise<ChatResult> {
    return new Promise<ChatResult>((resolve, reject) => {
      if (request.signal?.aborted) {
        reject(this.#abortedError());
        return;
      }
      const job: Job = { priority, seq: this.#seq++, request, onDelta, resolve, reject, preempted: false, preemptions: 0, streamed: false };
      const signal = request.signal;
      if (signal) {
        const onAbort = (): void => {
          const index = this.#waiting.indexOf(job);
          if (index >= 0) {
            this.#waiting.splice(index, 1);
            reject(this.#abortedError());
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        job.detachCallerAbort = () => signal.removeEventListener('abort', onAbort);
      }
      this.#waiting.push(job);
      this.#preemptIfNeeded(job);
      this.#pump();
    });
  }

  #preemptIfNeeded(arrived: Job): void {
    const running = this.#running;
    if (!running || running.priority !== 'background' || RANK[arrived.priority] >= RANK[running.priority]) return;
    if (running.streamed || running.preemptions >= MAX_PREEMPTIONS || !running.controller) return;
    running.preempted = true;
    running.controller.abort();
  }

  #ordered(): Job[] {
    return [...this.#waiting].sort((a, b) => RANK[a.priority] - RANK[b.priority] || a.seq - b.seq);
  }

  #pump(): void {
    if (this.#running) return;
    const next = this.#ordered()[0];
    if (!next) return;
    this.#waiting.splice(this.#waiting.indexOf(next), 1);
    this.#running = next;
    void this.#run(next);
  }

  async #run(job: Job): Promise<void> {
    job.preempted = false;
    const controller = new AbortController();
    if (job.priority === 'background') job.controller = controller;
    const signals = [controller.signal, ...(job.request.signal ? [job.request.signal] : [])];
    const request: ChatRequest = { ...job.request, signal: AbortSignal.any(signals) };
    const onDelta = job.onDelta
      ? (text: string): void => {
          job.streamed = true;
          job.onDelta?.(text);
        }
      : undefined;
    this.#events.started?.(job.priority);
    try {
      const result = await this.#model.chat(request, onDelta);
      job.detachCallerAbort?.();
      job.resolve(result);
    } catch (error) {
      if (job.preempted && !job.request.signal?.aborted) {
        job.preemptions += 1;
        this.#events.preempted?.(job.priority);
        this.#waiting.push(job); // keeps its seq: first of its class again
      } else {
        job.detachCallerAbort?.();
        job.reject(error);
      }
    } finally {
      this.#running = undefined;
      this.#pump();
    }
  }

  #abortedError(): LlmError {
    return new LlmError({
      kind: 'aborted',
      provider: this.#model.provider,
      model: this.#model.model,
      message: 'the model call was cancelled before it started',
      hint: 'Nothing to fix: the request was withdrawn.',
    });
  }
}
