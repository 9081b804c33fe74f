import type * as OpenAiSdk from 'openai';
import type { OpenAI } from 'openai';
import type { Logger } from '../../log/index.js';
import type { ChatRequest, ChatResult, LanguageModel, ProbeResult } from '../language-model.js';
import { LlmError } from '../llm-error.js';
import { startCallDeadline } from '../call-deadline.js';
import { createMeteredFetch } from '../metered-fetch.js';
import { DeltaCallbackError, emitDelta } from '../delta-callback.js';
import { DEFAULT_SETTING_NAMES, toOpenAiError, type OpenAiSettingNames } from './openai-errors.js';
import { OpenAiChunk, OpenAiModelEntry, ToolCallAssembler, toOpenAiMessage, toOpenAiTool } from './openai-wire.js';
import { providerNameFromUrl } from './provider-name.js';
import { withDisclosedHeadersOnly } from './disclosed-headers.js';

export interface OpenAiCompatibleModelOptions {
  /** API root that serves /chat/completions, e.g. https://api.groq.com/openai/v1. */
  baseUrl: string;
  apiKey: string;
  model: string;
  /** The whole call, streamed answer included. */
  timeoutMs: number;
  log: Logger;
  /** Shown to the owner; derived from the host when omitted. */
  provider?: string;
  /** Setting names hints refer to; defaults to the DEEP_THINK_* variables. */
  settingNames?: OpenAiSettingNames;
  /** For tests and proxies; defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** A cloud (or any OpenAI-compatible) model over streaming Chat Completions. */
export function createOpenAiCompatibleModel(options: OpenAiCompatibleModelOptions): LanguageModel {
  const { baseUrl, model, log } = options;
  const provider = options.provider ?? providerNameFromUrl(baseUrl);
  const settings = options.settingNames ?? DEFAULT_SETTING_NAMES;

  // The SDK is loaded on the first /think: most installations never configure a cloud model.
  let sdkLoading: Promise<typeof OpenAiSdk> | undefined;
  const loadSdk = (): Promise<typeof OpenAiSdk> => (sdkLoading ??= import('openai'));

  function clientFor(sdk: typeof OpenAiSdk, fetchImpl: typeof fetch, timeoutMs: number): OpenAI {
    return new sdk.OpenAI({
      baseURL: baseUrl,
      apiKey: options.apiKey,
      // Retry decisions belong to the caller (LlmError.retryable); the SDK must not resend bytes
      // the owner approved once.
      maxRetries: 0,
      timeout: timeoutMs,
      // Only the headers the disclosure names leave the machine (no SDK platform telemetry).
      fetch: withDisclosedHeadersOnly(fetchImpl),
      // Never pick up OPENAI_* variables from the environment behind the config's back.
      organization: null,
      project: null,
      webhookSecret: null,
      logLevel: 'off',
    });
  }

  function errorContext(abortCause: ReturnType<typeof startCallDeadline>['cause'], timeoutMs: number) {
    return { provider, baseUrl, model, timeoutMs, abortCause, settings };
  }

  /** The streaming Chat Completions parameters; the SDK sends JSON.stringify of exactly this object. */
  function requestParams(request: ChatRequest) {
    return {
      model,
      messages: request.messages.map(toOpenAiMessage),
      ...(request.tools && request.tools.length > 0 ? { tools: request.tools.map(toOpenAiTool) } : {}),
      stream: true as const,
      stream_options: { include_usage: true },
    };
  }

  function serializeRequest(request: ChatRequest): string {
    return JSON.stringify(requestParams(request));
  }

  function refuseDifferentBody(): LlmError {
    return new LlmError({
      kind: 'rejected',
      provider,
      model,
      message: 'the request differs from the payload the owner approved, so nothing was sent',
      hint: 'ask again: a fresh disclosure shows what would be sent now',
    });
  }

  async function chat(request: ChatRequest, onDelta?: (text: string) => void): Promise<ChatResult> {
    const params = requestParams(request);
    const exactBody = request.exactBody;
    if (exactBody !== undefined && JSON.stringify(params) !== exactBody) throw refuseDifferentBody();
    const deadline = startCallDeadline({ requestTimeoutMs: options.timeoutMs, callerSignal: request.signal });
    const baseFetch = options.fetch ?? globalThis.fetch;
    // With an approved body, the last hop before the network checks the bytes themselves.
    let refused = false;
    const guardedFetch: typeof fetch =
      exactBody === undefined
        ? baseFetch
        : async (input, init) => {
            if (init?.body !== exactBody) {
              refused = true;
              throw refuseDifferentBody();
            }
            return baseFetch(input, init);
          };
    const metered = createMeteredFetch({ baseFetch: guardedFetch });
    const sdk = await loadSdk();
    const client = clientFor(sdk, metered.fetch, options.timeoutMs);
    const started = Date.now();
    try {
      const stream = await client.chat.completions.create(params, { signal: deadline.signal });

      let content = '';
      const toolCalls = new ToolCallAssembler();
      let answeredBy = model;
      let promptTokens: number | undefined;
      let completionTokens: number | undefined;
      let finishReason: string | undefined;
      for await (const raw of stream) {
        const parsed = OpenAiChunk.safeParse(raw);
        if (!parsed.success) {
          throw new LlmError({
            kind: 'bad-response',
            provider,
            model,
            message: `${provider} sent a chunk we do not understand: ${parsed.error.message}`,
            hint: `check that ${settings.baseUrl} (${baseUrl}) is an OpenAI-compatible API`,
            cause: parsed.error,
          });
        }
        const chunk = parsed.data;
        if (chunk.model) answeredBy = chunk.model;
        if (chunk.usage) {
          promptTokens = chunk.usage.prompt_tokens;
          completionTokens = chunk.usage.completion_tokens;
        }
        const choice = chunk.choices?.find((candidate) => candidate.index === 0);
        if (!choice) continue;
        const text = choice.delta?.content ?? '';
        if (text !== '') {
          content += text;
          emitDelta(onDelta, text);
        }
        for (const call of choice.delta?.tool_calls ?? []) toolCalls.add(call);
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      // The SDK ends iteration quietly when its signal fires mid-stream: that is a timeout or a
      // cancellation, never a complete answer.
      if (deadline.cause !== undefined) throw new Error(`stream aborted: ${deadline.cause}`);
      if (finishReason === undefined) {
        throw new LlmError({
          kind: 'bad-response',
          provider,
          model,
          message: `${provider} ended the stream before the model finished`,
          hint: 'the connection was cut or the provider failed: try again',
        });
      }

      const result: ChatResult = {
        content,
        toolCalls: toolCalls.finish(),
        model: answeredBy,
        bytesSent: metered.bytesSent,
        bytesReceived: metered.bytesReceived,
        ...(promptTokens !== undefined ? { promptTokens } : {}),
        ...(completionTokens !== undefined ? { completionTokens } : {}),
      };
      log.debug(
        { provider, model, ms: Date.now() - started, finishReason, promptTokens, completionTokens, toolCalls: result.toolCalls.length, bytesSent: result.bytesSent, bytesReceived: result.bytesReceived },
        'llm chat finished',
      );
      return result;
    } catch (error) {
      if (error instanceof DeltaCallbackError) throw error.cause;
      // The SDK wraps what fetch threw; a refusal must surface as itself.
      if (refused) throw refuseDifferentBody();
      const llmError = toOpenAiError(sdk, error, errorContext(deadline.cause, options.timeoutMs));
      log.warn({ provider, model, kind: llmError.kind, status: llmError.status, ms: Date.now() - started, bytesSent: metered.bytesSent, err: llmError }, 'llm chat failed');
      throw llmError;
    } finally {
      deadline.dispose();
    }
  }

  async function probe(): Promise<ProbeResult> {
    const probeTimeoutMs = Math.min(options.timeoutMs, 10_000);
    const deadline = startCallDeadline({ requestTimeoutMs: probeTimeoutMs });
    const sdk = await loadSdk();
    const client = clientFor(sdk, options.fetch ?? globalThis.fetch, probeTimeoutMs);
    try {
      const page = await client.models.list({ signal: deadline.signal });
      const listed = page.data.some((entry) => OpenAiModelEntry.safeParse(entry).data?.id === model);
      if (listed) return { ok: true, detail: `${provider}, model ${model} available` };
      return { ok: false, detail: `${provider} answers, but does not list the model ${model}`, fix: `check ${settings.model}` };
    } catch (error) {
      const llmError = toOpenAiError(sdk, error, errorContext(deadline.cause, probeTimeoutMs));
      return { ok: false, detail: llmError.message, fix: llmError.hint };
    } finally {
      deadline.dispose();
    }
  }

  return { provider, model, chat, probe, serializeRequest };
}
