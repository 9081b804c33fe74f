export { loadConfig, TELEGRAM_NOT_CONFIGURED, type Config, type ConfigResult } from './config.js';
export { SECRET_KEYS } from './schema.js';
