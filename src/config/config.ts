import path from 'node:path';
import { parseBackupSchedule } from '../backup/backup-schedule.js';
import { crossSettingSchema, envSchema, isOllamaCloudModel, SECRET_KEYS, type Env } from './schema.js';
import { parseSecretKey, type SecretKey } from '../secrets/secret-key.js';

/** The validated, grouped settings the composition root hands to each subsystem. */
export interface Config {
  telegram: { token: string | undefined; ownerId: number | undefined; apiRoot: string; pollTimeoutSeconds: number; ownerInGroups: boolean };
  database: { kind: 'postgres'; url: string } | { kind: 'embedded'; dataDir: string };
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  health: { host: string; port: number };
  terminal: Env['TERMINAL'];
  timeZone: string;
  handlerConcurrency: number;
  shutdownGraceMs: number;
  retentionDays: number;
  ollama: {
    baseUrl: string;
    model: string;
    numCtx: number;
    keepAlive: string;
    connectTimeoutMs: number;
    timeoutMs: number;
    /** The model runs on ollama.com (allowed only by OLLAMA_ALLOW_CLOUD_MODEL=true): every chat leaves the machine. */
    cloudModel: boolean;
  };
  deepThink: { baseUrl: string; apiKey: string; model: string; timeoutMs: number } | undefined;
  approvalTtlMs: number;
  qdrant: { url: string; apiKey: string | undefined; collection: string } | undefined;
  embedding: { model: string; modelsDir: string; allowRemote: boolean };
  planka:
    | { baseUrl: string; auth: { kind: 'api-key'; apiKey: string } | { kind: 'password'; username: string; password: string } }
    | undefined;
  /** The value of every secret setting (SECRET_KEYS), for the logger to scrub from every line. */
  secrets: string[];
  routines: { plansFile: string };
  backup: {
    dir: string;
    schedule: { cron: string } | 'off';
    keep: number;
    encryption: { kind: 'gpg'; passphraseFile: string } | { kind: 'age'; recipient: string } | undefined;
  };
  google: GoogleConfig;
}

export interface GoogleConfig {
  /** From GOOGLE_CLIENT_ID/SECRET; undefined when only GOOGLE_CREDENTIALS_FILE is given (read when Google starts). */
  client: { clientId: string; clientSecret: string } | undefined;
  credentialsFile: string | undefined;
  refreshToken: string | undefined;
  apiRoot: string;
  tokenUrl: string;
  calendarWrite: boolean;
  emailPollMinutes: number;
  /** The key that seals stored credentials, then the previous one (rotation); empty when unset. */
  secretKeys: SecretKey[];
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

/** Parses the environment once; reports every problem at once, one line per variable. */
export function loadConfig(source: Readonly<Record<string, string | undefined>>): ConfigResult {
  const parsed = envSchema.safeParse(source);
  const crossChecked = crossSettingSchema.safeParse(source);
  const issues = [...(parsed.success ? [] : parsed.error.issues), ...(crossChecked.success ? [] : crossChecked.error.issues)];
  if (!parsed.success || issues.length > 0) {
    const problems = issues.map((issue) => {
      const key = issue.path.join('.') || '(environment)';
      return `${key}: ${issue.message}`;
    });
    return { ok: false, problems: [...new Set(problems)] };
  }
  return { ok: true, config: toConfig(parsed.data) };
}

function toConfig(env: Env): Config {
  const dataDir = path.resolve(env.DATA_DIR);
  return {
    telegram: {
      token: env.TELEGRAM_BOT_TOKEN,
      ownerId: env.TELEGRAM_OWNER_ID,
      apiRoot: env.TELEGRAM_API_ROOT,
      pollTimeoutSeconds: env.TELEGRAM_POLL_TIMEOUT_SECONDS,
      ownerInGroups: env.TELEGRAM_OWNER_IN_GROUPS,
    },
    database: env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'embedded', dataDir: path.join(dataDir, 'pglite') },
    dataDir,
    logLevel: env.LOG_LEVEL,
    health: { host: env.HEALTH_HOST, port: env.HEALTH_PORT },
    terminal: env.TERMINAL,
    timeZone: env.USER_TIMEZONE,
    handlerConcurrency: env.HANDLER_CONCURRENCY,
    shutdownGraceMs: env.SHUTDOWN_GRACE_SECONDS * 1000,
    retentionDays: env.RETENTION_DAYS,
    ollama: {
      baseUrl: env.OLLAMA_BASE_URL,
      model: env.OLLAMA_MODEL,
      numCtx: env.OLLAMA_NUM_CTX,
      keepAlive: env.OLLAMA_KEEP_ALIVE,
      connectTimeoutMs: env.OLLAMA_CONNECT_TIMEOUT_SECONDS * 1000,
      timeoutMs: env.OLLAMA_TIMEOUT_SECONDS * 1000,
      cloudModel: isOllamaCloudModel(env.OLLAMA_MODEL),
    },
    deepThink:
      env.DEEP_THINK_BASE_URL && env.DEEP_THINK_API_KEY && env.DEEP_THINK_MODEL
        ? { baseUrl: env.DEEP_THINK_BASE_URL, apiKey: env.DEEP_THINK_API_KEY, model: env.DEEP_THINK_MODEL, timeoutMs: env.DEEP_THINK_TIMEOUT_SECONDS * 1000 }
        : undefined,
    approvalTtlMs: env.APPROVAL_TTL_MINUTES * 60_000,
    qdrant: env.QDRANT_URL ? { url: env.QDRANT_URL, apiKey: env.QDRANT_API_KEY, collection: env.QDRANT_COLLECTION } : undefined,
    embedding: {
      model: env.EMBEDDING_MODEL,
      modelsDir: path.resolve(env.MODELS_DIR ?? path.join(dataDir, 'models')),
      allowRemote: env.ALLOW_REMOTE_MODELS,
    },
    planka: env.PLANKA_BASE_URL
      ? {
          baseUrl: env.PLANKA_BASE_URL,
          auth: env.PLANKA_API_KEY
            ? { kind: 'api-key', apiKey: env.PLANKA_API_KEY }
            : { kind: 'password', username: env.PLANKA_USERNAME ?? '', password: env.PLANKA_PASSWORD ?? '' },
        }
      : undefined,
    secrets: secretValues(env),
    routines: { plansFile: path.resolve(env.RECURRING_PLANS_FILE) },
    backup: {
      dir: path.resolve(env.BACKUP_DIR),
      schedule: backupSchedule(env.BACKUP_SCHEDULE),
      keep: env.BACKUP_KEEP,
      encryption: env.BACKUP_PASSPHRASE_FILE
        ? { kind: 'gpg', passphraseFile: env.BACKUP_PASSPHRASE_FILE }
        : env.BACKUP_AGE_RECIPIENT
          ? { kind: 'age', recipient: env.BACKUP_AGE_RECIPIENT }
          : undefined,
    },
    google: {
      client: env.GOOGLE_CLIENT_ID && env.GOOGLE_CLIENT_SECRET ? { clientId: env.GOOGLE_CLIENT_ID, clientSecret: env.GOOGLE_CLIENT_SECRET } : undefined,
      credentialsFile: env.GOOGLE_CREDENTIALS_FILE ? path.resolve(env.GOOGLE_CREDENTIALS_FILE) : undefined,
      refreshToken: env.GOOGLE_REFRESH_TOKEN,
      apiRoot: env.GOOGLE_API_ROOT,
      tokenUrl: env.GOOGLE_TOKEN_URL,
      calendarWrite: env.GOOGLE_CALENDAR_WRITE,
      emailPollMinutes: env.EMAIL_POLL_MINUTES,
      secretKeys: [env.OPENZERO_SECRET_KEY, env.OPENZERO_SECRET_KEY_PREVIOUS].flatMap((text) => {
        const parsed = text ? parseSecretKey(text) : undefined;
        return parsed?.ok ? [parsed.key] : [];
      }),
    },
  };
}

/** Every secret setting's value, plus the password inside DATABASE_URL (it may appear alone). */
function secretValues(env: Env): string[] {
  const values: string[] = [];
  for (const key of SECRET_KEYS) {
    const value = env[key];
    if (typeof value === 'string' && value !== '') values.push(value);
  }
  if (env.DATABASE_URL) {
    try {
      const password = new URL(env.DATABASE_URL).password;
      if (password) values.push(password, decodeURIComponent(password));
    } catch {
      // An unparsable URL is still scrubbed whole.
    }
  }
  return [...new Set(values)];
}

function backupSchedule(value: string): { cron: string } | 'off' {
  const parsed = parseBackupSchedule(value);
  return parsed === 'off' || 'cron' in parsed ? parsed : 'off';
}

/** The paragraph shown when Telegram is not configured (terminal and log alike). */
export const TELEGRAM_NOT_CONFIGURED =
  'Telegram is not configured: TELEGRAM_BOT_TOKEN is not set. To talk to openzero in Telegram, create a bot with @BotFather, ' +
  'put its token in .env as TELEGRAM_BOT_TOKEN=123456789:AA… (and optionally TELEGRAM_OWNER_ID=<your numeric user id>), then start again. ' +
  'Until then you can use the terminal channel: run `npm start` in an interactive terminal (or set TERMINAL=on).';

/** The same news for someone who is already in the terminal channel: they need no advice on how to reach it. */
export const TELEGRAM_NOT_CONFIGURED_TERMINAL_ONLY =
  'Telegram is not configured (TELEGRAM_BOT_TOKEN is not set), so openzero talks to you here, in this terminal, only. ' +
  'To reach it from Telegram as well, create a bot with @BotFather, put its token in .env as TELEGRAM_BOT_TOKEN=123456789:AA… ' +
  '(and optionally TELEGRAM_OWNER_ID=<your numeric user id>), then start again.';
