import { z } from 'zod';
import { parseBackupSchedule } from '../backup/backup-schedule.js';
import { parseSecretKey } from '../secrets/secret-key.js';

/**
 * Every setting openzero reads, in one schema over the environment.
 * Empty strings count as unset, so a blank line in `.env` falls back to the default.
 */

const blankToUndefined = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const optionalString = z.preprocess(blankToUndefined, z.string().trim().optional());
/** `example` is shown in the error: a URL of the right shape for that setting. */
const url = (example: string) =>
  z
    .string()
    .trim()
    .refine((value) => /^https?:\/\/[^\s/]+/.test(value), { message: `expected an http:// or https:// URL, e.g. ${example}` })
    .transform((value) => value.replace(/\/+$/, ''));
const optionalUrl = (example: string) => z.preprocess(blankToUndefined, url(example).optional());
const defaultedUrl = (fallback: string) => z.preprocess(blankToUndefined, url(fallback).default(fallback));
const positiveInt = (fallback: number, what: string) =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ message: `expected a whole number (${what})` }).int(`expected a whole number (${what})`).positive(`expected a number above 0 (${what})`).default(fallback),
  );
const port = (fallback: number) =>
  z.preprocess(
    blankToUndefined,
    z.coerce.number({ message: 'expected a port number 0-65535' }).int('expected a port number 0-65535').min(0, 'expected a port number 0-65535').max(65535, 'expected a port number 0-65535').default(fallback),
  );
const flag = (fallback: boolean) =>
  z.preprocess(
    blankToUndefined,
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true' || value === '1' || value === 'yes'),
  );

function isValidTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const secretKey = z.preprocess(
  blankToUndefined,
  z
    .string()
    .trim()
    .superRefine((value, ctx) => {
      const parsed = parseSecretKey(value);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    })
    .optional(),
);

export const envSchema = z
  .object({
    TELEGRAM_BOT_TOKEN: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .regex(/^\d+:[A-Za-z0-9_-]{20,}$/, 'expected a bot token like 123456789:AAH… from @BotFather')
        .optional(),
    ),
    TELEGRAM_OWNER_ID: z.preprocess(
      blankToUndefined,
      z.coerce
        .number({ message: 'expected your numeric Telegram user id (ask @userinfobot)' })
        .int('expected your numeric Telegram user id (ask @userinfobot)')
        .positive('expected your numeric Telegram user id (ask @userinfobot)')
        .optional(),
    ),
    TELEGRAM_API_ROOT: defaultedUrl('https://api.telegram.org'),
    TELEGRAM_POLL_TIMEOUT_SECONDS: positiveInt(30, 'seconds a long poll waits'),
    TELEGRAM_OWNER_IN_GROUPS: flag(false),

    DATABASE_URL: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .refine((value) => /^postgres(ql)?:\/\//.test(value), { message: 'expected postgres://user:password@host:5432/database' })
        .optional(),
    ),
    DATA_DIR: z.preprocess(blankToUndefined, z.string().trim().default('./data')),

    LOG_LEVEL: z.preprocess(
      blankToUndefined,
      z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { message: 'expected one of fatal, error, warn, info, debug, trace, silent' }).default('info'),
    ),
    HEALTH_HOST: z.preprocess(blankToUndefined, z.string().trim().default('127.0.0.1')),
    HEALTH_PORT: port(8787),
    TERMINAL: z.preprocess(blankToUndefined, z.enum(['auto', 'on', 'off'], { message: 'expected auto, on or off' }).default('auto')),
    USER_TIMEZONE: z.preprocess(
      blankToUndefined,
      z.string().trim().default('UTC').refine(isValidTimeZone, { message: 'expected an IANA time zone such as Europe/Berlin' }),
    ),
    HANDLER_CONCURRENCY: positiveInt(8, 'chats handled at once'),
    SHUTDOWN_GRACE_SECONDS: positiveInt(10, 'seconds in-flight work may take at shutdown'),
    RETENTION_DAYS: positiveInt(14, 'days handled updates and sent replies are kept'),

    OLLAMA_BASE_URL: defaultedUrl('http://127.0.0.1:11434'),
    OLLAMA_MODEL: z.preprocess(blankToUndefined, z.string().trim().default('llama3.2:3b')),
    OLLAMA_NUM_CTX: positiveInt(8192, 'context tokens'),
    OLLAMA_KEEP_ALIVE: z.preprocess(blankToUndefined, z.string().trim().default('30m')),
    OLLAMA_CONNECT_TIMEOUT_SECONDS: positiveInt(10, 'seconds to wait for Ollama to start answering'),
    OLLAMA_TIMEOUT_SECONDS: positiveInt(180, 'seconds a whole answer may take'),
    OLLAMA_ALLOW_CLOUD_MODEL: flag(false),

    DEEP_THINK_BASE_URL: optionalUrl('https://api.openai.com/v1'),
    DEEP_THINK_API_KEY: optionalString,
    DEEP_THINK_MODEL: optionalString,
    DEEP_THINK_TIMEOUT_SECONDS: positiveInt(120, 'seconds a cloud answer may take'),
    APPROVAL_TTL_MINUTES: positiveInt(15, 'minutes an approval button stays valid'),

    QDRANT_URL: optionalUrl('http://127.0.0.1:6333'),
    QDRANT_API_KEY: optionalString,
    QDRANT_COLLECTION: z.preprocess(blankToUndefined, z.string().trim().default('personal_memory')),
    EMBEDDING_MODEL: z.preprocess(blankToUndefined, z.string().trim().default('Xenova/all-MiniLM-L6-v2')),
    MODELS_DIR: optionalString,
    ALLOW_REMOTE_MODELS: flag(true),

    PLANKA_BASE_URL: optionalUrl('http://127.0.0.1:3000'),
    PLANKA_API_KEY: optionalString,
    PLANKA_USERNAME: optionalString,
    PLANKA_PASSWORD: optionalString,

    RECURRING_PLANS_FILE: z.preprocess(blankToUndefined, z.string().trim().default('./recurring-plans.md')),

    BACKUP_DIR: z.preprocess(blankToUndefined, z.string().trim().default('./backups')),
    BACKUP_SCHEDULE: z.preprocess(
      blankToUndefined,
      z
        .string()
        .trim()
        .default('03:00')
        .refine((value) => {
          const parsed = parseBackupSchedule(value);
          return parsed === 'off' || 'cron' in parsed;
        }, { message: 'expected off, a time of day like 03:00, or a cron expression like "0 3 * * *"' }),
    ),
    BACKUP_KEEP: positiveInt(14, 'archives kept'),
    BACKUP_PASSPHRASE_FILE: optionalString,
    BACKUP_AGE_RECIPIENT: optionalString,

    GOOGLE_CLIENT_ID: optionalString,
    GOOGLE_CLIENT_SECRET: optionalString,
    GOOGLE_CREDENTIALS_FILE: optionalString,
    GOOGLE_REFRESH_TOKEN: optionalString,
    GOOGLE_API_ROOT: defaultedUrl('https://www.googleapis.com'),
    GOOGLE_TOKEN_URL: defaultedUrl('https://oauth2.googleapis.com/token'),
    GOOGLE_CALENDAR_WRITE: flag(false),
    EMAIL_POLL_MINUTES: positiveInt(10, 'minutes between Gmail polls'),
    OPENZERO_SECRET_KEY: secretKey,
    OPENZERO_SECRET_KEY_PREVIOUS: secretKey,
  });

/** A setting that is there (any non-blank text); never fails, so the checks below always run. */
const present = z.preprocess(blankToUndefined, z.string().optional());

/**
 * Checks that span several settings. They read only whether each setting is present, so they
 * run on the raw environment even when a single setting is invalid (zod skips an object's
 * refinements after a type error in a field): every problem is reported in one round.
 */
export const crossSettingSchema = z
  .object({
    OLLAMA_MODEL: present,
    // Read leniently here: a malformed value is reported by the single-setting schema.
    OLLAMA_ALLOW_CLOUD_MODEL: z.preprocess((value) => typeof value === 'string' && /^(1|true|yes|on)$/i.test(value.trim()), z.boolean()),
    DEEP_THINK_BASE_URL: present,
    DEEP_THINK_API_KEY: present,
    DEEP_THINK_MODEL: present,
    PLANKA_BASE_URL: present,
    PLANKA_API_KEY: present,
    PLANKA_USERNAME: present,
    PLANKA_PASSWORD: present,
    GOOGLE_CLIENT_ID: present,
    GOOGLE_CLIENT_SECRET: present,
    GOOGLE_CREDENTIALS_FILE: present,
    GOOGLE_REFRESH_TOKEN: present,
    OPENZERO_SECRET_KEY: present,
    OPENZERO_SECRET_KEY_PREVIOUS: present,
  })
  .superRefine((env, ctx) => {
    if (env.OLLAMA_MODEL !== undefined && isOllamaCloudModel(env.OLLAMA_MODEL) && !env.OLLAMA_ALLOW_CLOUD_MODEL) {
      ctx.addIssue({
        code: 'custom',
        path: ['OLLAMA_MODEL'],
        message:
          `${env.OLLAMA_MODEL} is an Ollama cloud model: Ollama would send every chat (your messages, memories and tasks) off this machine, with no approval. ` +
          'Choose a local model, or set OLLAMA_ALLOW_CLOUD_MODEL=true to allow it',
      });
    }
    const deepThink = [env.DEEP_THINK_BASE_URL, env.DEEP_THINK_API_KEY, env.DEEP_THINK_MODEL];
    if (deepThink.some(Boolean) && !deepThink.every(Boolean)) {
      for (const [key, value] of [
        ['DEEP_THINK_BASE_URL', env.DEEP_THINK_BASE_URL],
        ['DEEP_THINK_API_KEY', env.DEEP_THINK_API_KEY],
        ['DEEP_THINK_MODEL', env.DEEP_THINK_MODEL],
      ] as const) {
        if (!value) ctx.addIssue({ code: 'custom', path: [key], message: 'required when any DEEP_THINK_* variable is set' });
      }
    }
    if (env.PLANKA_BASE_URL && !env.PLANKA_API_KEY && !(env.PLANKA_USERNAME && env.PLANKA_PASSWORD)) {
      ctx.addIssue({ code: 'custom', path: ['PLANKA_API_KEY'], message: 'set PLANKA_API_KEY, or PLANKA_USERNAME and PLANKA_PASSWORD, when PLANKA_BASE_URL is set' });
    }
    if (Boolean(env.GOOGLE_CLIENT_ID) !== Boolean(env.GOOGLE_CLIENT_SECRET)) {
      ctx.addIssue({ code: 'custom', path: [env.GOOGLE_CLIENT_ID ? 'GOOGLE_CLIENT_SECRET' : 'GOOGLE_CLIENT_ID'], message: 'set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET together (or GOOGLE_CREDENTIALS_FILE instead)' });
    }
    const google = env.GOOGLE_CLIENT_ID || env.GOOGLE_CREDENTIALS_FILE || env.GOOGLE_REFRESH_TOKEN;
    if (google && !env.OPENZERO_SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['OPENZERO_SECRET_KEY'], message: 'required when Google is configured (Google tokens are stored encrypted with it); generate one with: openssl rand -hex 32' });
    }
    if (env.GOOGLE_REFRESH_TOKEN && !env.GOOGLE_CLIENT_ID && !env.GOOGLE_CREDENTIALS_FILE) {
      ctx.addIssue({ code: 'custom', path: ['GOOGLE_REFRESH_TOKEN'], message: 'needs the OAuth client too: GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or GOOGLE_CREDENTIALS_FILE' });
    }
    if (env.OPENZERO_SECRET_KEY_PREVIOUS && !env.OPENZERO_SECRET_KEY) {
      ctx.addIssue({ code: 'custom', path: ['OPENZERO_SECRET_KEY'], message: 'required when OPENZERO_SECRET_KEY_PREVIOUS is set (rotation: the new key here, the old one there)' });
    }
    if (!env.PLANKA_BASE_URL && (env.PLANKA_API_KEY || env.PLANKA_USERNAME)) {
      ctx.addIssue({ code: 'custom', path: ['PLANKA_BASE_URL'], message: 'required when Planka credentials are set' });
    }
  });

export type Env = z.output<typeof envSchema>;

/**
 * Ollama runs models whose name ends in `-cloud` or `:cloud` (e.g. `gpt-oss:120b-cloud`,
 * `glm-4.6:cloud`) on ollama.com: the request leaves the machine although the URL is local.
 */
export function isOllamaCloudModel(model: string): boolean {
  return /[-:]cloud(:latest)?$/i.test(model.trim());
}

/**
 * Names of settings whose values are secrets: never printed, never logged (the logger scrubs
 * each value from every line). A test checks that every *_TOKEN, *_KEY, *_PASSWORD and *_SECRET
 * setting is listed here.
 */
export const SECRET_KEYS: ReadonlySet<keyof Env> = new Set<keyof Env>(['TELEGRAM_BOT_TOKEN', 'DEEP_THINK_API_KEY', 'QDRANT_API_KEY', 'PLANKA_API_KEY', 'PLANKA_PASSWORD', 'GOOGLE_CLIENT_SECRET', 'GOOGLE_REFRESH_TOKEN', 'OPENZERO_SECRET_KEY', 'OPENZERO_SECRET_KEY_PREVIOUS', 'DATABASE_URL']);
