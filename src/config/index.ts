export { loadConfig, TELEGRAM_NOT_CONFIGURED, TELEGRAM_NOT_CONFIGURED_TERMINAL_ONLY, type Config, type ConfigResult } from './config.js';
export { SECRET_KEYS } from './schema.js';
