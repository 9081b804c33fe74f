export { createOpenAiCompatibleModel, type OpenAiCompatibleModelOptions } from './openai-compatible-model.js';
export { providerNameFromUrl } from './provider-name.js';
export { DEFAULT_SETTING_NAMES as OPENAI_COMPATIBLE_SETTING_NAMES, type OpenAiSettingNames } from './openai-errors.js';
export { CLOUD_USER_AGENT, DISCLOSED_HEADERS } from './disclosed-headers.js';
