import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';
import { createSecretScrubber } from './secret-scrubber.js';
import { redactPersonalText } from './redact-fields.js';
import { serializeError } from './serialize-error.js';

/** The structured logger every subsystem receives (one child per subsystem). */
export type Logger = PinoLogger;

export interface LoggerOptions {
  level: string;
  /** Where log lines go; stdout when omitted. The terminal channel passes a file or stderr. */
  destination?: DestinationStream;
  /**
   * Values of every secret setting (bot token, API keys, passwords, database URL). Each is
   * replaced in the whole serialized line, wherever it hides (nested error messages, stacks,
   * URLs), so no subsystem has to remember to scrub.
   */
  secrets?: readonly string[];
}

/** Bot tokens appear inside Telegram API URLs (`/bot<token>/method`): scrub them from any string. */
export function scrubSecrets(value: string): string {
  return value.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot<redacted>').replace(/\b\d{6,}:[A-Za-z0-9_-]{30,}\b/g, '<redacted>');
}

/**
 * Three layers, each for what the one before cannot see:
 * - fields: personal text and secret-named fields are replaced at any depth (`formatters.log`);
 * - errors: `err` keeps name, message, codes and causes, never a request payload (`serializers`);
 * - the final line: every configured secret value and any bot-token shape is replaced in the
 *   serialized JSON itself (`hooks.streamWrite`), which is the only place a nested message or
 *   stack is guaranteed to be seen.
 */
export function createLogger(options: LoggerOptions): Logger {
  const scrubLine = createSecretScrubber(options.secrets ?? []);
  return pino(
    {
      level: options.level,
      base: { app: 'openzero' },
      formatters: { log: (fields) => redactPersonalText(fields) },
      serializers: { err: serializeError, error: serializeError },
      hooks: { streamWrite: (line) => scrubSecrets(scrubLine(line)) },
    },
    // Synchronous by default: an async buffer loses its last lines on kill -9, and the line
    // that records a possible duplicate send after a crash must survive the next crash.
    options.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that drops everything: for unit tests that do not look at logs. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
