import type * as OpenAiSdk from 'openai';
import { LlmError } from '../llm-error.js';
import type { AbortCause } from '../call-deadline.js';
import { classifyNetworkError, networkErrorCode } from '../network-error.js';

/** Names of the settings a hint tells the owner to change. */
export interface OpenAiSettingNames {
  baseUrl: string;
  apiKey: string;
  model: string;
  timeout: string;
}

export const DEFAULT_SETTING_NAMES: OpenAiSettingNames = {
  baseUrl: 'DEEP_THINK_BASE_URL',
  apiKey: 'DEEP_THINK_API_KEY',
  model: 'DEEP_THINK_MODEL',
  timeout: 'DEEP_THINK_TIMEOUT_SECONDS',
};

export interface OpenAiErrorContext {
  provider: string;
  baseUrl: string;
  model: string;
  timeoutMs: number;
  abortCause: AbortCause | undefined;
  settings: OpenAiSettingNames;
}

/** Maps anything the openai SDK or the network threw to an LlmError with a fix in words. */
export function toOpenAiError(sdk: typeof OpenAiSdk, error: unknown, context: OpenAiErrorContext): LlmError {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = sdk;
  if (error instanceof LlmError) return error;
  const { provider, baseUrl, model, settings } = context;
  const base = { provider, model, cause: error };
  const seconds = context.timeoutMs / 1000;

  if (context.abortCause === 'caller') {
    return new LlmError({ ...base, kind: 'aborted', message: `the ${provider} request was cancelled`, hint: 'nothing to fix: the request was cancelled on purpose' });
  }
  if (context.abortCause !== undefined || error instanceof APIConnectionTimeoutError) {
    return new LlmError({
      ...base,
      kind: 'timeout',
      message: `${provider} did not finish answering within ${seconds}s`,
      hint: `raise ${settings.timeout} (now ${seconds}) or choose a faster model in ${settings.model}`,
    });
  }
  if (error instanceof APIUserAbortError) {
    return new LlmError({ ...base, kind: 'aborted', message: `the ${provider} request was cancelled`, hint: 'nothing to fix: the request was cancelled on purpose' });
  }
  if (error instanceof APIConnectionError || classifyNetworkError(error) !== undefined) {
    const code = networkErrorCode(error);
    return new LlmError({
      ...base,
      kind: classifyNetworkError(error) === 'timeout' ? 'timeout' : 'unreachable',
      message: `${provider} at ${baseUrl} is unreachable${code ? ` (${code})` : ''}`,
      hint: `check ${settings.baseUrl} (${baseUrl}) and that this machine can reach it`,
    });
  }
  if (error instanceof APIError) {
    const status = error.status;
    const detail = error.message;
    if (status === undefined) {
      // An `error` object inside the SSE stream: the request started, then the provider failed.
      return new LlmError({ ...base, kind: 'bad-response', message: `${provider} failed while answering: ${detail}`, hint: 'try again; if it persists, check the provider status page' });
    }
    if (status === 401) {
      return new LlmError({ ...base, status, kind: 'rejected', message: `${provider} rejected the API key (401): ${detail}`, hint: `check ${settings.apiKey}: it is missing, wrong or revoked for ${provider}` });
    }
    if (status === 403) {
      return new LlmError({ ...base, status, kind: 'rejected', message: `${provider} refused the request (403): ${detail}`, hint: `the key in ${settings.apiKey} is not allowed to use ${model} (or this region): check the account at ${provider}` });
    }
    if (status === 404 && (error.code === 'model_not_found' || /model/i.test(detail))) {
      return new LlmError({ ...base, status, kind: 'model-missing', message: `${provider} does not offer ${model}: ${detail}`, hint: `check ${settings.model} (${model}) against ${provider}'s model list` });
    }
    if (status === 404) {
      return new LlmError({ ...base, status, kind: 'bad-response', message: `${baseUrl} answered 404 to /chat/completions: ${detail}`, hint: `${settings.baseUrl} (${baseUrl}) should be the API root that serves /chat/completions (usually ending in /v1)` });
    }
    if (status === 429) {
      return new LlmError({ ...base, status, kind: 'rejected', message: `${provider} is rate limiting or out of quota (429): ${detail}`, hint: `wait and try again, or check the billing/quota of the key in ${settings.apiKey}` });
    }
    if (status < 500) {
      return new LlmError({ ...base, status, kind: 'rejected', message: `${provider} rejected the request (${status}): ${detail}`, hint: `${model} may not support this request (e.g. tools): check ${settings.model}` });
    }
    return new LlmError({ ...base, status, kind: 'bad-response', message: `${provider} failed (${status}): ${detail}`, hint: 'a provider-side failure: try again later' });
  }
  const text = error instanceof Error ? error.message : String(error);
  return new LlmError({ ...base, kind: 'bad-response', message: `${provider} sent an answer we could not read: ${text}`, hint: `check that ${settings.baseUrl} (${baseUrl}) is an OpenAI-compatible API` });
}
