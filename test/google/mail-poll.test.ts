import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { googleRevokedAt } from '../../src/google/google-connection.js';
import { REVOKED_ALERT } from '../../src/google/revocation.js';
import { loadTokens } from '../../src/google/stored-tokens.js';
import { parseRulesSection } from '../../src/mail/email-rules.js';
import { pendingSummaries, triagedSince } from '../../src/mail/mail-repo.js';
import { seedRulesOnce } from '../../src/mail/rules-repo.js';
import { silentLogger } from '../../src/log/index.js';
import type { SecretKey } from '../../src/secrets/index.js';
import { startFakeGoogle, type FakeGoogle } from '../fakes/google.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { mailHarness, RecordingMessenger, testKey } from './harness.js';

const RULES = `## Email rules
- from: school.example.org -> urgent
- from: boss@company.example, subject: today -> urgent
- subject: invoice -> summarize
- from: newsletter -> archive
`;

describe.each(databaseKinds())('gmail poll on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let fake: FakeGoogle;
  let key: SecretKey;
  let clock: number;
  const now = () => new Date(clock);

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    if (!migrated.ok) throw new Error(migrated.reason);
    fake = await startFakeGoogle();
    key = testKey();
    clock = Date.now();
    await seedRulesOnce(opened.db, parseRulesSection(RULES).rules);
  });

  afterEach(async () => {
    expect(fake.unexpected()).toEqual([]);
    await fake.close();
    await opened.close();
    await database.drop();
  });

  it('first poll syncs a bounded window, triages by the first matching rule, then costs one call when nothing is new', async () => {
    fake.seedMailbox(50);
    fake.deliver({ from: 'Old <old@school.example.org>', subject: 'long ago', snippet: 'x', date: new Date(clock - 3 * 86_400_000) });
    const urgent = fake.deliver({ from: 'Teacher <t@school.example.org>', subject: 'Pick-up changed', snippet: 'Please come at 2pm', date: new Date(clock - 3_600_000) });
    fake.deliver({ from: 'Shop <billing@shop.example>', subject: 'Your invoice', snippet: 'Amount due 12 EUR', date: new Date(clock - 1_800_000) });
    fake.deliver({ from: 'newsletter@news.example', subject: 'Weekly', snippet: 'news', date: new Date(clock - 600_000) });
    const h = await mailHarness(opened.db, fake, { key, now });

    expect(await h.poller.poll()).toMatchObject({ kind: 'polled', discovered: 3, processed: 3 });
    expect(h.messenger.sent).toHaveLength(1);
    const alert = h.messenger.sent[0];
    expect(alert?.options).toMatchObject({ urgent: true, scope: `mail:urgent:${urgent.id}` });
    expect(alert?.message.text).toContain('Pick-up changed');
    expect(alert?.message.buttons?.[0]?.[0]).toEqual({ text: 'Open', url: `https://mail.google.com/mail/u/0/#all/${urgent.id}` });
    const triaged = await triagedSince(opened.db, new Date(clock - 86_400_000));
    expect(triaged.map((m) => [m.subject, m.action]).sort()).toEqual([
      ['Pick-up changed', 'urgent'],
      ['Weekly', 'archive'],
      ['Your invoice', 'summarize'],
    ]);
    expect((await pendingSummaries(opened.db)).map((m) => m.summary)).toEqual(['A short summary.']);
    const gets = fake.apiCalls().filter((r) => r.path.includes('/messages/'));
    expect(gets.every((r) => r.query.get('format') === 'metadata')).toBe(true);

    for (let i = 0; i < 3; i += 1) {
      const before = fake.apiCalls().length;
      fake.touchHistory();
      expect(await h.poller.poll()).toMatchObject({ kind: 'polled', discovered: 0, processed: 0 });
      expect(fake.apiCalls().slice(before).map((r) => r.path)).toEqual(['/gmail/v1/users/me/history']);
    }
  });

  it('reads every history page and processes each message once', async () => {
    const h = await mailHarness(opened.db, fake, { key, now });
    await h.poller.poll();
    for (let i = 0; i < 230; i += 1) fake.deliver({ from: `p${i}@school.example.org`, subject: `n${i}`, snippet: 's' });
    const before = fake.apiCalls().length;
    expect(await h.poller.poll()).toMatchObject({ kind: 'polled', discovered: 230, processed: 230 });
    const calls = fake.apiCalls().slice(before);
    expect(calls.filter((r) => r.path.endsWith('/history')).length).toBe(3);
    expect(calls.filter((r) => r.path.includes('/messages/')).length).toBe(230);
    expect(h.messenger.sent).toHaveLength(230);
    expect(new Set(h.messenger.sent.map((s) => s.options?.scope)).size).toBe(230);
  });

  it('falls back to a bounded messages.list when the stored history is too old (404), without redoing known mail', async () => {
    const h = await mailHarness(opened.db, fake, { key, now });
    fake.deliver({ from: 'a@school.example.org', subject: 'one', snippet: 's', date: new Date(clock - 60_000) });
    await h.poller.poll();
    clock += 3_600_000;
    fake.expireHistory();
    fake.deliver({ from: 'b@school.example.org', subject: 'two', snippet: 's', date: new Date(clock - 60_000) });
    const before = fake.apiCalls().length;
    expect(await h.poller.poll()).toMatchObject({ kind: 'polled', discovered: 1, processed: 1 });
    const calls = fake.apiCalls().slice(before);
    expect(calls.map((r) => `${r.path} ${r.status}`)).toContain('/gmail/v1/users/me/history 404');
    const list = calls.find((r) => r.path.endsWith('/messages'));
    expect(list?.query.get('q')).toMatch(/^in:inbox after:\d+$/);
    expect(h.messenger.sent.map((s) => s.message.text).join('\n')).toMatch(/one[\s\S]*two/);
    expect(h.messenger.sent).toHaveLength(2);
    // The fallback stored a fresh cursor: the next poll is one history call again.
    const after = fake.apiCalls().length;
    await h.poller.poll();
    expect(fake.apiCalls().slice(after).map((r) => r.path)).toEqual(['/gmail/v1/users/me/history']);
  });

  it('overlapping polls in two processes and a restart notify each urgent mail once', async () => {
    const messenger = new RecordingMessenger();
    const a = await mailHarness(opened.db, fake, { key, now, messenger });
    const b = await mailHarness(opened.db, fake, { key, now, messenger, seedTokens: false });
    await a.poller.poll();
    for (let i = 0; i < 40; i += 1) fake.deliver({ from: `p${i}@school.example.org`, subject: `n${i}`, snippet: 's' });
    await Promise.all([a.poller.poll(), b.poller.poll(), a.poller.poll(), b.poller.poll()]);
    const restarted = await mailHarness(opened.db, fake, { key, now, messenger, seedTokens: false });
    expect(await restarted.poller.poll()).toMatchObject({ kind: 'polled', processed: 0 });
    expect(messenger.sent).toHaveLength(40);
    expect(new Set(messenger.sent.map((s) => s.options?.scope)).size).toBe(40);
    expect(await triagedSince(opened.db, new Date(0))).toHaveLength(40);
  });

  it('a crash at any point of a poll loses no mail and notifies none twice', async () => {
    const messenger = new RecordingMessenger();
    const first = await mailHarness(opened.db, fake, { key, now, messenger });
    await first.poller.poll();
    for (let i = 0; i < 6; i += 1) fake.deliver({ from: `p${i}@school.example.org`, subject: `n${i}`, snippet: 's' });
    // The process dies after the first alert left (Telegram got it) but before it was recorded.
    let sends = 0;
    const dying = {
      send: async (...args: Parameters<RecordingMessenger['send']>) => {
        const delivery = await messenger.send(...args);
        sends += 1;
        if (sends === 1) throw new Error('SIGKILL');
        return delivery;
      },
    };
    const crashing = await mailHarness(opened.db, fake, { key, now, seedTokens: false, messenger: dying as unknown as RecordingMessenger });
    await expect(crashing.poller.poll()).rejects.toThrow('SIGKILL');
    // Then it dies while fetching metadata (Google answers 500s).
    fake.deliver({ from: 'late@school.example.org', subject: 'late', snippet: 's' });
    const restarted = await mailHarness(opened.db, fake, { key, now, messenger, seedTokens: false });
    expect(await restarted.poller.poll()).toMatchObject({ kind: 'polled', left: 0 });
    expect(messenger.sent.map((s) => s.message.text.match(/Subject: (\S+)/)?.[1]).sort()).toEqual(['late', 'n0', 'n1', 'n2', 'n3', 'n4', 'n5']);
    expect(await triagedSince(opened.db, new Date(0))).toHaveLength(7);
  });

  it('invalid_grant: one alert with the fix, polling pauses, /status can show it', async () => {
    const h = await mailHarness(opened.db, fake, { key, now });
    await h.poller.poll();
    expect((await loadTokens(h.store))?.access_token).toMatch(/^ya29\./);
    expect((await loadTokens(h.store))?.refresh_token).toBe(fake.refreshToken);
    fake.revokeRefreshToken();
    fake.deliver({ from: 'a@school.example.org', subject: 'one', snippet: 's' });
    expect(await h.poller.poll()).toEqual({ kind: 'revoked' });
    expect(h.messenger.sent.map((s) => s.message.text)).toEqual([REVOKED_ALERT]);
    expect(await googleRevokedAt(opened.db)).toBeInstanceOf(Date);
    const before = fake.requests.length;
    expect(await h.poller.poll()).toEqual({ kind: 'revoked' });
    const restarted = await mailHarness(opened.db, fake, { key, now, seedTokens: false, messenger: h.messenger });
    expect(await restarted.poller.poll()).toEqual({ kind: 'revoked' });
    expect(fake.requests.length).toBe(before);
    expect(h.messenger.sent).toHaveLength(1);
  });

  it('rate limits: retries 429 and 403 userRateLimitExceeded, then backs off with growth honouring Retry-After', async () => {
    const h = await mailHarness(opened.db, fake, { key, now });
    await h.poller.poll();
    fake.deliver({ from: 'a@school.example.org', subject: 'one', snippet: 's' });
    fake.failNext(1, { status: 429, reason: 'rateLimitExceeded', retryAfter: '2', pathIncludes: '/history' });
    fake.failNext(1, { status: 403, reason: 'userRateLimitExceeded', pathIncludes: '/messages/' });
    expect(await h.poller.poll()).toMatchObject({ kind: 'polled', processed: 1 });

    // google-auth-library also retries a 403 once after a token refresh, so a persistent limit needs many answers.
    fake.failNext(20, { status: 403, reason: 'userRateLimitExceeded', pathIncludes: '/history' });
    const first = await h.poller.poll();
    expect(first.kind).toBe('rate-limited');
    const firstWait = first.kind === 'rate-limited' ? first.until.getTime() - clock : 0;
    expect(await h.poller.poll()).toMatchObject({ kind: 'backing-off' });
    clock += firstWait;
    fake.clearFaults();
    fake.failNext(20, { status: 429, reason: 'rateLimitExceeded', retryAfter: '7200', pathIncludes: '/history' });
    const second = await h.poller.poll();
    expect(second.kind === 'rate-limited' ? second.until.getTime() - clock : 0).toBe(7_200_000);
    clock += 7_200_000;
    fake.clearFaults();
    fake.failNext(20, { status: 429, reason: 'rateLimitExceeded', pathIncludes: '/history' });
    const third = await h.poller.poll();
    expect(third.kind === 'rate-limited' ? third.until.getTime() - clock : 0).toBeGreaterThan(firstWait);
    clock += 6 * 3_600_000;
    fake.clearFaults();
    while ((await h.poller.poll()).kind !== 'polled') clock += 6 * 3_600_000;
  });
});
