export type {
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatRole,
  LanguageModel,
  ProbeResult,
  ToolCall,
  ToolSpec,
} from './language-model.js';
export { LlmError, type LlmErrorKind, type LlmErrorInit } from './llm-error.js';
export { createOllamaModel, type OllamaModelOptions } from './ollama/index.js';
export {
  createOpenAiCompatibleModel,
  providerNameFromUrl,
  OPENAI_COMPATIBLE_SETTING_NAMES,
  CLOUD_USER_AGENT,
  DISCLOSED_HEADERS,
  type OpenAiCompatibleModelOptions,
  type OpenAiSettingNames,
} from './openai-compatible/index.js';
export { ModelQueue, MAX_PREEMPTIONS, type ModelPriority, type ModelQueueEvents } from './model-queue.js';
