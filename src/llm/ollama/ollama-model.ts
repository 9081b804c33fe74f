import { Ollama } from 'ollama';
import type { Logger } from '../../log/index.js';
import type { ChatRequest, ChatResult, LanguageModel, ProbeResult, ToolCall } from '../language-model.js';
import { LlmError } from '../llm-error.js';
import { startCallDeadline } from '../call-deadline.js';
import { createMeteredFetch } from '../metered-fetch.js';
import { DeltaCallbackError, emitDelta } from '../delta-callback.js';
import { OLLAMA_PROVIDER, toOllamaError } from './ollama-errors.js';
import { OllamaChatChunk, OllamaTags, sameModelName, toOllamaMessage, toOllamaTool, toToolCall } from './ollama-wire.js';

export interface OllamaModelOptions {
  /** Root URL of the Ollama server (OLLAMA_BASE_URL), e.g. http://127.0.0.1:11434. Not /v1. */
  baseUrl: string;
  model: string;
  /** Context window in tokens, sent as options.num_ctx on every call. */
  numCtx: number;
  /** How long Ollama keeps the model loaded after a call: "30m", or seconds. */
  keepAlive: string | number;
  /** No response headers (i.e. no first token: Ollama sends headers with it) within this → timeout. */
  connectTimeoutMs: number;
  /** The whole streamed answer within this → else timeout. */
  requestTimeoutMs: number;
  log: Logger;
  /** For tests and proxies; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The local model, over Ollama's native /api/chat with streaming NDJSON. */
export function createOllamaModel(options: OllamaModelOptions): LanguageModel {
  const { baseUrl, model, log } = options;

  async function chat(request: ChatRequest, onDelta?: (text: string) => void): Promise<ChatResult> {
    const deadline = startCallDeadline({
      connectTimeoutMs: options.connectTimeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      callerSignal: request.signal,
    });
    const metered = createMeteredFetch({
      signal: deadline.signal,
      onHeaders: () => deadline.headersArrived(),
      ...(options.fetch ? { baseFetch: options.fetch } : {}),
    });
    // A client per call: its fetch carries this call's deadline and byte counters.
    const client = new Ollama({ host: baseUrl, fetch: metered.fetch });
    const started = Date.now();
    try {
      const stream = await client.chat({
        model,
        messages: request.messages.map(toOllamaMessage),
        ...(request.tools && request.tools.length > 0 ? { tools: request.tools.map(toOllamaTool) } : {}),
        stream: true,
        keep_alive: options.keepAlive,
        options: { num_ctx: options.numCtx },
      });

      let content = '';
      const toolCalls: ToolCall[] = [];
      let answeredBy = model;
      let promptTokens: number | undefined;
      let completionTokens: number | undefined;
      let sawDone = false;
      for await (const raw of stream) {
        const parsed = OllamaChatChunk.safeParse(raw);
        if (!parsed.success) {
          throw new LlmError({
            kind: 'bad-response',
            provider: OLLAMA_PROVIDER,
            model,
            message: `Ollama sent a chat line we do not understand: ${parsed.error.message}`,
            hint: 'the Ollama server may be too old or not Ollama at all: upgrade it, check OLLAMA_BASE_URL',
            cause: parsed.error,
          });
        }
        const chunk = parsed.data;
        answeredBy = chunk.model;
        const text = chunk.message?.content ?? '';
        if (text !== '') {
          content += text;
          emitDelta(onDelta, text);
        }
        for (const call of chunk.message?.tool_calls ?? []) {
          toolCalls.push(toToolCall(toolCalls.length, call.function.name, call.function.arguments));
        }
        if (chunk.done) {
          sawDone = true;
          promptTokens = chunk.prompt_eval_count;
          completionTokens = chunk.eval_count;
        }
      }
      // Belt and braces: an abort that ended the body quietly must not pass for a whole answer.
      if (deadline.cause !== undefined || !sawDone) throw new Error('Did not receive done response in stream.');

      const result: ChatResult = {
        content,
        toolCalls,
        model: answeredBy,
        bytesSent: metered.bytesSent,
        bytesReceived: metered.bytesReceived,
        ...(promptTokens !== undefined ? { promptTokens } : {}),
        ...(completionTokens !== undefined ? { completionTokens } : {}),
      };
      log.debug(
        { provider: OLLAMA_PROVIDER, model, ms: Date.now() - started, promptTokens, completionTokens, toolCalls: toolCalls.length, bytesSent: result.bytesSent, bytesReceived: result.bytesReceived },
        'llm chat finished',
      );
      return result;
    } catch (error) {
      if (error instanceof DeltaCallbackError) throw error.cause;
      const llmError = toOllamaError(error, {
        baseUrl,
        model,
        connectTimeoutMs: options.connectTimeoutMs,
        requestTimeoutMs: options.requestTimeoutMs,
        abortCause: deadline.cause,
      });
      log.warn({ provider: OLLAMA_PROVIDER, model, kind: llmError.kind, status: llmError.status, ms: Date.now() - started, err: llmError }, 'llm chat failed');
      throw llmError;
    } finally {
      deadline.dispose();
    }
  }

  async function probe(): Promise<ProbeResult> {
    const deadline = startCallDeadline({ requestTimeoutMs: options.connectTimeoutMs });
    const metered = createMeteredFetch({ signal: deadline.signal, ...(options.fetch ? { baseFetch: options.fetch } : {}) });
    const client = new Ollama({ host: baseUrl, fetch: metered.fetch });
    try {
      const tags = OllamaTags.parse(await client.list());
      const pulled = tags.models.some((entry) => sameModelName(entry.model ?? entry.name, model) || sameModelName(entry.name, model));
      if (pulled) return { ok: true, detail: `${model} ready at ${baseUrl}` };
      return { ok: false, detail: `running at ${baseUrl}, but the model ${model} is not pulled`, fix: `run \`ollama pull ${model}\` on the Ollama host, or set OLLAMA_MODEL to a model it has` };
    } catch (error) {
      const llmError = toOllamaError(error, {
        baseUrl,
        model,
        connectTimeoutMs: options.connectTimeoutMs,
        requestTimeoutMs: options.connectTimeoutMs,
        abortCause: deadline.cause === 'request-timeout' ? 'connect-timeout' : deadline.cause,
      });
      return { ok: false, detail: llmError.message, fix: llmError.hint };
    } finally {
      deadline.dispose();
    }
  }

  return { provider: OLLAMA_PROVIDER, model, chat, probe };
}
