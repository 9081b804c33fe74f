import { pino, type Logger as PinoLogger, type DestinationStream } from 'pino';

/** The structured logger every subsystem receives (one child per subsystem). */
export type Logger = PinoLogger;

export interface LoggerOptions {
  level: string;
  /** Where log lines go; stdout when omitted. The terminal channel passes a file or stderr. */
  destination?: DestinationStream;
}

/**
 * Field names whose values never reach a log line: secrets and personal text.
 * Values are replaced, not removed, so a reader still sees the field existed.
 */
export const REDACTED_PATHS = [
  'token',
  'botToken',
  'apiKey',
  'password',
  'authorization',
  'headers.authorization',
  '*.token',
  '*.apiKey',
  '*.password',
  'text',
  '*.text',
  'body',
  'memoryText',
  'emailBody',
];

/** Bot tokens appear inside Telegram API URLs (`/bot<token>/method`): scrub them from any string. */
export function scrubSecrets(value: string): string {
  return value.replace(/bot\d+:[A-Za-z0-9_-]+/g, 'bot<redacted>').replace(/\b\d{6,}:[A-Za-z0-9_-]{30,}\b/g, '<redacted>');
}

export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { app: 'openzero' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: {
        err: (err: unknown) => {
          const serialized = pino.stdSerializers.err(err as Error);
          if (typeof serialized.message === 'string') serialized.message = scrubSecrets(serialized.message);
          if (typeof serialized.stack === 'string') serialized.stack = scrubSecrets(serialized.stack);
          return serialized;
        },
      },
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
