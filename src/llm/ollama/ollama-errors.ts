import { LlmError } from '../llm-error.js';
import type { AbortCause } from '../call-deadline.js';
import { classifyNetworkError, networkErrorCode } from '../network-error.js';
import { OllamaResponseError } from './ollama-wire.js';

export const OLLAMA_PROVIDER = 'Ollama';

export interface OllamaErrorContext {
  baseUrl: string;
  model: string;
  connectTimeoutMs: number;
  requestTimeoutMs: number;
  abortCause: AbortCause | undefined;
}

/** Maps anything the ollama client or the network threw to an LlmError with a fix in words. */
export function toOllamaError(error: unknown, context: OllamaErrorContext): LlmError {
  if (error instanceof LlmError) return error;
  const base = { provider: OLLAMA_PROVIDER, model: context.model, cause: error };

  if (context.abortCause === 'caller') {
    return new LlmError({ ...base, kind: 'aborted', message: 'the Ollama request was cancelled', hint: 'nothing to fix: the request was cancelled on purpose' });
  }
  if (context.abortCause === 'connect-timeout') {
    const seconds = context.connectTimeoutMs / 1000;
    return new LlmError({
      ...base,
      kind: 'timeout',
      message: `Ollama at ${context.baseUrl} sent no answer within ${seconds}s (connect timeout)`,
      hint: `the model may still be loading: raise OLLAMA_CONNECT_TIMEOUT_SECONDS (now ${seconds}) or use a smaller model; check that \`ollama serve\` is not stuck`,
    });
  }
  if (context.abortCause === 'request-timeout') {
    const seconds = context.requestTimeoutMs / 1000;
    return new LlmError({
      ...base,
      kind: 'timeout',
      message: `the Ollama answer took longer than ${seconds}s (request timeout)`,
      hint: `raise OLLAMA_TIMEOUT_SECONDS (now ${seconds}), lower OLLAMA_NUM_CTX or use a smaller model`,
    });
  }

  const response = OllamaResponseError.safeParse(error);
  if (response.success) return fromStatus(response.data.status_code, response.data.error, base, context);

  const network = classifyNetworkError(error);
  if (network === 'unreachable') {
    const code = networkErrorCode(error);
    return new LlmError({
      ...base,
      kind: 'unreachable',
      message: `Ollama at ${context.baseUrl} is unreachable${code ? ` (${code})` : ''}`,
      hint: 'check OLLAMA_BASE_URL and that `ollama serve` is running there',
    });
  }
  if (network === 'timeout') {
    return new LlmError({
      ...base,
      kind: 'timeout',
      message: `connecting to Ollama at ${context.baseUrl} timed out`,
      hint: 'check OLLAMA_BASE_URL and the network path to it',
    });
  }

  const text = error instanceof Error ? error.message : String(error);
  if (/did not receive done/i.test(text)) {
    return new LlmError({
      ...base,
      kind: 'bad-response',
      message: 'the Ollama stream ended before its final "done" line',
      hint: `the Ollama server closed the answer early: look at its log (\`journalctl -u ollama\` or the container log)`,
    });
  }
  // The client turns an NDJSON `{"error": "..."}` line (an error after the stream started) into a plain Error.
  return new LlmError({
    ...base,
    kind: 'bad-response',
    message: `Ollama failed while answering: ${text}`,
    hint: 'look at the Ollama server log; if it ran out of memory, lower OLLAMA_NUM_CTX or use a smaller model',
  });
}

function fromStatus(
  status: number,
  serverMessage: string,
  base: { provider: string; model: string; cause: unknown },
  context: OllamaErrorContext,
): LlmError {
  if (status === 404 && /model/i.test(serverMessage) && /not found/i.test(serverMessage)) {
    return new LlmError({
      ...base,
      status,
      kind: 'model-missing',
      message: `Ollama does not have the model ${context.model}: ${serverMessage}`,
      hint: `run \`ollama pull ${context.model}\` on the Ollama host, or set OLLAMA_MODEL to a model it has`,
    });
  }
  if (status === 404) {
    return new LlmError({
      ...base,
      status,
      kind: 'bad-response',
      message: `${context.baseUrl} answered 404 to Ollama's /api/chat: ${serverMessage}`,
      hint: 'OLLAMA_BASE_URL does not point at an Ollama server: use its root URL (no /v1)',
    });
  }
  if (status === 401 || status === 403) {
    return new LlmError({
      ...base,
      status,
      kind: 'rejected',
      message: `Ollama refused the request (${status}): ${serverMessage}`,
      hint: `the Ollama endpoint at OLLAMA_BASE_URL (${context.baseUrl}) requires credentials this process does not send`,
    });
  }
  if (status >= 400 && status < 500) {
    return new LlmError({
      ...base,
      status,
      kind: 'rejected',
      message: `Ollama rejected the request (${status}): ${serverMessage}`,
      hint: status === 429 ? 'Ollama is overloaded (queue full): try again shortly' : `the model ${context.model} may not support this request (e.g. tools): check \`ollama show ${context.model}\``,
    });
  }
  return new LlmError({
    ...base,
    status,
    kind: 'bad-response',
    message: `Ollama failed (${status}): ${serverMessage}`,
    hint: 'look at the Ollama server log; if it ran out of memory, lower OLLAMA_NUM_CTX or use a smaller model',
  });
}
