import type { LlmError } from '../llm/index.js';

const CAUSE: Record<LlmError['kind'], string> = {
  unreachable: 'The local model is not reachable',
  timeout: 'The local model took too long',
  'model-missing': 'The local model is not installed',
  'bad-response': 'The local model failed while answering',
  rejected: 'The local model refused the request',
  aborted: 'The answer was cancelled',
};

/** What the owner reads when the local model could not answer: the cause, the fix, and /retry. */
export function localFailureText(err: LlmError): string {
  return [
    `⚠️ ${CAUSE[err.kind]}: ${err.message}.`,
    `Fix: ${err.hint}.`,
    'Your message is kept: send /retry once that is fixed. Nothing was sent to a cloud model.',
  ].join('\n');
}

/** The same for the cloud model of /think. */
export function cloudFailureText(err: LlmError, host: string): string {
  return [`⚠️ Deep think failed (${host}): ${err.message}.`, `Fix: ${err.hint}.`].join('\n');
}
