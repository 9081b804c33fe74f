import { GrammyError, HttpError } from 'grammy';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { envSchema, SECRET_KEYS } from '../../src/config/schema.js';
import { createLogger } from '../../src/log/index.js';

const TOKEN = '7000000001:AAHlogTestToken_abcdefghijklmnopqrstu';
const PLANKA_PASSWORD = 'pl4nka"pa\\ss word';
const QDRANT_KEY = 'qdrant-key-9f8e7d6c';
const DEEP_KEY = 'sk-deep-think-5b4a3c2d1e';
const OWNER_TEXT = 'my secret diary entry about the orchard';
const ANSWER_TEXT = 'Z answered with the passport number';

function recording(secrets: readonly string[]): { log: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const log = createLogger({ level: 'trace', secrets, destination: { write: (line: string) => void lines.push(line) } });
  return { log, lines };
}

function networkError(): HttpError {
  // What grammY throws when fetch fails: the inner error's message and stack carry the URL.
  const inner = new Error(`request to https://api.telegram.org/bot${TOKEN}/getUpdates failed, reason: connect ECONNREFUSED`, {
    cause: new Error(`connect ECONNREFUSED for /bot${encodeURIComponent(TOKEN)}/sendMessage`),
  });
  return new HttpError(`Network request for 'getUpdates' failed! ${inner.message}`, inner);
}

function sendRejected(): GrammyError {
  return new GrammyError(
    "Call to 'sendMessage' failed!",
    { ok: false, error_code: 400, description: 'Bad Request: message is too long' },
    'sendMessage',
    { chat_id: 42, text: OWNER_TEXT, reply_markup: { inline_keyboard: [[{ text: ANSWER_TEXT, callback_data: 'x' }]] } },
  );
}

describe('logger', () => {
  it('scrubs every secret value from nested error messages, causes and stacks', () => {
    const { log, lines } = recording([TOKEN, PLANKA_PASSWORD, QDRANT_KEY, DEEP_KEY]);
    const wrapped = new Error(`planka login failed with ${PLANKA_PASSWORD} and qdrant ${QDRANT_KEY}`, { cause: networkError() });
    log.warn({ err: wrapped }, 'telegram network error; retrying');
    log.fatal(networkError(), 'stopping');
    log.error({ err: new AggregateError([new Error(`key ${DEEP_KEY}`)], 'several failed') }, 'several');
    log.info({ reason: `url /bot${TOKEN}/getMe` }, 'retrying getMe');
    const all = lines.join('');
    expect(lines).toHaveLength(4);
    for (const secret of [TOKEN, PLANKA_PASSWORD, JSON.stringify(PLANKA_PASSWORD).slice(1, -1), QDRANT_KEY, DEEP_KEY, encodeURIComponent(TOKEN)]) {
      expect(all).not.toContain(secret);
    }
    // Still useful: the nested structure and the reason survive.
    const first = JSON.parse(lines[0] ?? '{}') as { err: { cause: { type: string; error: { message: string; cause: { message: string } } } } };
    expect(first.err.cause.type).toBe('HttpError');
    expect(first.err.cause.error.message).toContain('ECONNREFUSED');
    expect(first.err.cause.error.cause.message).toContain('[secret]');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('never logs a grammY payload, at any depth, but keeps the method, code and description', () => {
    const { log, lines } = recording([TOKEN]);
    log.error({ err: sendRejected() }, 'send failed');
    log.error({ err: new Error('update failed', { cause: sendRejected() }) }, 'update failed');
    log.warn({ context: { err: sendRejected(), update: { message: { text: OWNER_TEXT, caption: ANSWER_TEXT } } } }, 'nested');
    log.warn({ result: { messages: [{ content: ANSWER_TEXT }] }, body: OWNER_TEXT }, 'bodies');
    const all = lines.join('');
    expect(all).not.toContain(OWNER_TEXT);
    expect(all).not.toContain(ANSWER_TEXT);
    expect(all).not.toContain('payload');
    const first = JSON.parse(lines[0] ?? '{}') as { err: Record<string, unknown> };
    expect(first.err).toMatchObject({ type: 'GrammyError', method: 'sendMessage', error_code: 400, description: 'Bad Request: message is too long' });
  });

  it('leaves the caller’s objects untouched', () => {
    const { log } = recording([TOKEN]);
    const err = sendRejected();
    const fields = { update: { text: OWNER_TEXT }, err };
    log.error(fields, 'x');
    expect(fields.update.text).toBe(OWNER_TEXT);
    expect(err.payload.text).toBe(OWNER_TEXT);
  });
});

describe('secret settings', () => {
  it('lists every *_TOKEN, *_KEY, *_PASSWORD and *_SECRET setting as a secret', () => {
    const named = Object.keys(envSchema.shape).filter((key) => /(TOKEN|KEY|PASSWORD|SECRET)$/.test(key));
    expect(named.length).toBeGreaterThan(3);
    for (const key of named) expect(SECRET_KEYS.has(key as keyof typeof envSchema.shape), key).toBe(true);
  });

  it('hands the logger the value of every secret setting that is set', () => {
    const loaded = loadConfig({
      TELEGRAM_BOT_TOKEN: TOKEN,
      PLANKA_BASE_URL: 'http://planka.local',
      PLANKA_USERNAME: 'me',
      PLANKA_PASSWORD,
      QDRANT_URL: 'http://qdrant.local',
      QDRANT_API_KEY: QDRANT_KEY,
      DEEP_THINK_BASE_URL: 'https://api.example.com/v1',
      DEEP_THINK_API_KEY: DEEP_KEY,
      DEEP_THINK_MODEL: 'm',
      DATABASE_URL: 'postgres://oz:db%23pass@localhost:5432/oz',
    });
    if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
    expect(loaded.config.secrets).toEqual(expect.arrayContaining([TOKEN, PLANKA_PASSWORD, QDRANT_KEY, DEEP_KEY, 'db#pass', 'db%23pass']));
  });
});
