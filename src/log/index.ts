export { createLogger, silentLogger, scrubSecrets, type Logger, type LoggerOptions } from './logger.js';
