import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { CredentialStore, parseSecretKey, SecretUnreadableError, type SecretKey } from '../../src/secrets/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

function key(): { text: string; key: SecretKey } {
  const text = randomBytes(32).toString('hex');
  const parsed = parseSecretKey(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return { text, key: parsed.key };
}

describe('OPENZERO_SECRET_KEY', () => {
  it('accepts 64 hex characters and base64 of 32 bytes, both naming the same key', () => {
    const bytes = randomBytes(32);
    const hex = parseSecretKey(bytes.toString('hex'));
    const b64 = parseSecretKey(bytes.toString('base64'));
    const b64url = parseSecretKey(bytes.toString('base64url'));
    expect(hex.ok && b64.ok && b64url.ok).toBe(true);
    if (hex.ok && b64.ok && b64url.ok) {
      expect(b64.key.id).toBe(hex.key.id);
      expect(b64url.key.bytes.equals(bytes)).toBe(true);
    }
  });

  it('refuses a wrong length with a clear start-up error naming the variable', () => {
    for (const bad of [randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), 'not a key!', randomBytes(33).toString('base64')]) {
      const result = loadConfig({ OPENZERO_SECRET_KEY: bad });
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.problems.join('\n')).toMatch(/^OPENZERO_SECRET_KEY: expected 32 random bytes as 64 hex characters or as base64/m);
    }
  });

  it('is required once Google is configured', () => {
    const result = loadConfig({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'secret' });
    expect(result.ok ? [] : result.problems).toEqual([expect.stringMatching(/^OPENZERO_SECRET_KEY: required when Google is configured/)]);
    const ok = loadConfig({ GOOGLE_CLIENT_ID: 'id.apps.googleusercontent.com', GOOGLE_CLIENT_SECRET: 'secret', OPENZERO_SECRET_KEY: key().text });
    expect(ok.ok).toBe(true);
    if (ok.ok) {
      expect(ok.config.google.emailPollMinutes).toBe(10);
      expect(ok.config.google.apiRoot).toBe('https://www.googleapis.com');
      expect(ok.config.google.tokenUrl).toBe('https://oauth2.googleapis.com/token');
      expect(ok.config.google.calendarWrite).toBe(false);
    }
  });
});

describe.each(databaseKinds())('credential store on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    if (!migrated.ok) throw new Error(migrated.reason);
  });

  afterEach(async () => {
    await opened.close();
    await database.drop();
  });

  it('stores only ciphertext and reads it back', async () => {
    const store = new CredentialStore(opened.db, [key().key]);
    const token = JSON.stringify({ refresh_token: '1//0refresh-token-value', access_token: 'ya29.secret' });
    await store.put('google', token);
    const row = await opened.db.selectFrom('credentials').selectAll().executeTakeFirstOrThrow();
    expect(row.sealed).not.toContain('refresh-token-value');
    expect(row.sealed).not.toContain('ya29');
    expect(await store.get('google')).toBe(token);
    expect(await store.get('missing')).toBeUndefined();
  });

  it('refuses a tampered value, a value moved to another name, and a foreign key', async () => {
    const store = new CredentialStore(opened.db, [key().key]);
    await store.put('google', 'secret');
    const row = await opened.db.selectFrom('credentials').selectAll().executeTakeFirstOrThrow();
    await opened.db.insertInto('credentials').values({ name: 'other', sealed: row.sealed }).execute();
    await expect(store.get('other')).rejects.toBeInstanceOf(SecretUnreadableError);
    const parts = row.sealed.split('.');
    const body = Buffer.from(parts[4] ?? '', 'base64url');
    body[0] = (body[0] ?? 0) ^ 1;
    parts[4] = body.toString('base64url');
    await opened.db.updateTable('credentials').set({ sealed: parts.join('.') }).where('name', '=', 'google').execute();
    await expect(store.get('google')).rejects.toBeInstanceOf(SecretUnreadableError);
    await expect(new CredentialStore(opened.db, [key().key]).get('other')).rejects.toThrow(/neither OPENZERO_SECRET_KEY nor OPENZERO_SECRET_KEY_PREVIOUS/);
  });

  it('rotates: values sealed with the previous key open and are re-sealed under the new one', async () => {
    const old = key().key;
    const fresh = key().key;
    await new CredentialStore(opened.db, [old]).put('google', 'token-1');
    const rotating = new CredentialStore(opened.db, [fresh, old]);
    expect(await rotating.get('google')).toBe('token-1');
    expect(await rotating.rotate()).toEqual({ resealed: 1, unreadable: [] });
    expect(await new CredentialStore(opened.db, [fresh]).get('google')).toBe('token-1');
    await expect(new CredentialStore(opened.db, [old]).get('google')).rejects.toBeInstanceOf(SecretUnreadableError);
    expect(await rotating.rotate()).toEqual({ resealed: 0, unreadable: [] });
  });
});
