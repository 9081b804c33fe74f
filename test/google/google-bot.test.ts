import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Api, Bot } from 'grammy';
import type { Update } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Feature } from '../../src/app/index.js';
import { ApprovalService } from '../../src/approvals/index.js';
import { findApproval } from '../../src/approvals/approvals-repo.js';
import { createTelegramChatMessenger, createTelegramReplyChannel, handlersComposer, OwnerAuth, type BotContext } from '../../src/channels/telegram/index.js';
import { CommandRegistry } from '../../src/commands/index.js';
import { loadConfig } from '../../src/config/index.js';
import { migrateToLatest, openDatabase, type OpenDatabase } from '../../src/db/index.js';
import { createGoogleFeature } from '../../src/google/index.js';
import { CALENDAR_EVENTS, CALENDAR_READONLY, GMAIL_READONLY } from '../../src/google/scopes.js';
import { saveTokens } from '../../src/google/stored-tokens.js';
import { silentLogger } from '../../src/log/index.js';
import { addRule, listRules } from '../../src/mail/rules-repo.js';
import { OwnerPolicy, PauseSwitch, ToolExecutor } from '../../src/policy/index.js';
import { CredentialStore, parseSecretKey } from '../../src/secrets/index.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { startFakeGoogle, type FakeGoogle } from '../fakes/google.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { RecordingMessenger, ScriptedModel } from './harness.js';

const OWNER = { id: 5151, first_name: 'Olive' };
const ZONE = 'Europe/Berlin';
const KEY = 'a'.repeat(64);

/**
 * The Google feature as the daemon builds it (createGoogleFeature), in process, over a fake
 * Telegram and a fake Google: /google, /today, /week, /mail, /rules with its delete buttons,
 * and "move my 3pm to 4pm" through the action gate with approval and Undo.
 */
describe('google feature through the bot', () => {
  let telegram: FakeTelegram;
  let google: FakeGoogle;
  let database: TestDatabase;
  let opened: OpenDatabase;
  let feature: Feature;
  let executor: ToolExecutor;
  let messenger: RecordingMessenger;
  let dir: string;
  const clock: { pinned: Date | undefined } = { pinned: undefined };
  let deliver: () => Promise<void>;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-google-bot-'));
    fs.writeFileSync(path.join(dir, 'requirements.md'), '# Requirements\n');
    telegram = await startFakeTelegram({ knownChats: [{ id: OWNER.id, type: 'private', first_name: OWNER.first_name }] });
    google = await startFakeGoogle();
    google.grantScopes([GMAIL_READONLY, CALENDAR_READONLY, CALENDAR_EVENTS]);
    database = await createTestDatabase('pglite');
    opened = await openDatabase(database.settings, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    if (!migrated.ok) throw new Error(migrated.reason);
    const db = opened.db;
    const loaded = loadConfig({
      TELEGRAM_BOT_TOKEN: telegram.token,
      TELEGRAM_API_ROOT: telegram.apiRoot,
      DATA_DIR: dir,
      USER_TIMEZONE: ZONE,
      GOOGLE_CLIENT_ID: google.clientId,
      GOOGLE_CLIENT_SECRET: google.clientSecret,
      GOOGLE_API_ROOT: google.apiRoot,
      GOOGLE_TOKEN_URL: google.tokenUrl,
      GOOGLE_CALENDAR_WRITE: 'true',
      OPENZERO_SECRET_KEY: KEY,
    });
    if (!loaded.ok) throw new Error(loaded.problems.join('; '));
    const key = parseSecretKey(KEY);
    if (!key.ok) throw new Error(key.error);
    await saveTokens(new CredentialStore(db, [key.key]), { refresh_token: google.refreshToken });

    const log = silentLogger();
    const api = new Api(telegram.token, { apiRoot: telegram.apiRoot });
    const tools = new ToolRegistry();
    const now = () => clock.pinned ?? new Date();
    const approvals = new ApprovalService({ db, chats: createTelegramChatMessenger(api), log, defaultTtlMs: 15 * 60_000, now: () => new Date() });
    const pause = new PauseSwitch(db);
    await pause.load();
    executor = new ToolExecutor({ registry: tools, approvals, pause, policy: new OwnerPolicy(db), db, log, undoTtlMs: 3_600_000 });
    messenger = new RecordingMessenger();
    const registry = new CommandRegistry();
    feature = createGoogleFeature(
      { config: loaded.config, db, databaseKind: 'embedded', log, registry, auth: new OwnerAuth(db, OWNER.id), chats: createTelegramChatMessenger(api), replies: createTelegramReplyChannel(api, log), ownerChatId: () => OWNER.id, messenger, tools, llm: new ScriptedModel() },
      { now, requirementsFile: path.join(dir, 'requirements.md') },
    );
    await feature.start?.();

    const bot = new Bot<BotContext>(telegram.token, { botInfo: { ...(await api.getMe()) }, client: { apiRoot: telegram.apiRoot } });
    bot.use((ctx, next) => {
      ctx.channel = 'telegram';
      return next();
    });
    if (feature.handlers) bot.use(handlersComposer(feature.handlers));
    bot.use(handlersComposer(approvals.handlers()));
    let offset = 0;
    deliver = async () => {
      const updates: Update[] = await api.getUpdates({ offset, timeout: 0 });
      for (const update of updates) {
        offset = update.update_id + 1;
        await bot.handleUpdate(update);
      }
    };
  });

  afterAll(async () => {
    expect(google.unexpected()).toEqual([]);
    await opened.close();
    await database.drop();
    await Promise.all([telegram.close(), google.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function say(text: string): Promise<string> {
    const before = telegram.botMessages(OWNER.id).length;
    telegram.sendText(OWNER, text);
    await deliver();
    const replies = telegram.botMessages(OWNER.id).slice(before);
    return replies.map((m) => m.text).join('\n---\n');
  }

  async function tap(messageId: number, data: string): Promise<void> {
    telegram.pressButton(OWNER, OWNER.id, messageId, data, { allowMissingButton: true });
    await deliver();
  }

  it('/google says it is connected and prints the steps with the ssh -L line', async () => {
    const reply = await say('/google');
    expect(reply).toContain('Google is connected.');
    expect(reply).toMatch(/ssh -L \d+:127\.0\.0\.1:\d+/);
    expect(reply).toContain('npm run google:auth');
  });

  it('/today and /week across the end of summer time, with all-day events ending on their exclusive date', async () => {
    // Friday 23 Oct 2026, 08:00 in Berlin; summer time ends on Sunday 25 Oct at 03:00.
    clock.pinned = new Date('2026-10-23T06:00:00Z');
    google.events.set('ev-standup', { id: 'ev-standup', summary: 'Standup', start: { dateTime: '2026-10-23T09:30:00+02:00' }, end: { dateTime: '2026-10-23T09:45:00+02:00' } });
    google.events.set('ev-trip', { id: 'ev-trip', summary: 'Trip to Hamburg', start: { date: '2026-10-24' }, end: { date: '2026-10-26' } });
    google.events.set('ev-brunch', { id: 'ev-brunch', summary: 'Brunch', start: { dateTime: '2026-10-25T10:00:00+01:00' }, end: { dateTime: '2026-10-25T11:30:00+01:00' } });
    google.events.set('ev-late', { id: 'ev-late', summary: 'Late call', start: { dateTime: '2026-10-22T20:00:00Z' }, end: { dateTime: '2026-10-22T21:00:00Z' } });
    google.events.set('ev-train', { id: 'ev-train', summary: 'Night train', start: { dateTime: '2026-10-22T21:30:00Z' }, end: { dateTime: '2026-10-22T22:30:00Z' } });
    google.events.set('ev-last', { id: 'ev-last', summary: 'Last of the week', start: { dateTime: '2026-10-29T22:00:00Z' }, end: { dateTime: '2026-10-29T22:30:00Z' } });
    google.events.set('ev-next', { id: 'ev-next', summary: 'Too late for this week', start: { dateTime: '2026-10-30T09:00:00+01:00' }, end: { dateTime: '2026-10-30T10:00:00+01:00' } });
    try {
      const today = await say('/today');
      expect(today).toContain('Friday 23 Oct');
      expect(today).toContain('09:30–09:45 Standup');
      // 20:00–21:00Z on the 22nd is 22:00–23:00 in Berlin on the 22nd: not today; a train
      // from 23:30 to 00:30 runs into today and is listed.
      expect(today).not.toContain('Late call');
      expect(today).toContain('23:30–00:30 Night train');
      expect(today).not.toContain('Trip');

      const week = await say('/week');
      const days = week.split('\n\n');
      expect(days.find((d) => d.startsWith('Saturday 24 Oct'))).toContain('all day: Trip to Hamburg (until Sun 25 Oct)');
      const sunday = days.find((d) => d.startsWith('Sunday 25 Oct')) ?? '';
      expect(sunday).toContain('all day: Trip to Hamburg');
      // 10:00+01:00 shown at 10:00 wall time on the day the clocks go back.
      expect(sunday).toContain('10:00–11:30 Brunch');
      expect(week).not.toMatch(/Monday 26 Oct[\s\S]*Trip/);
      // Seven days: through Thursday 29 Oct (now on winter time), not Friday 30.
      expect(week).toContain('Thursday 29 Oct\n• 23:00–23:30 Last of the week');
      expect(week).not.toContain('Too late for this week');
    } finally {
      clock.pinned = undefined;
      for (const id of ['ev-standup', 'ev-trip', 'ev-brunch', 'ev-late', 'ev-train', 'ev-last', 'ev-next']) google.events.delete(id);
    }
  });

  it('/mail groups today\'s triage by action after a poll; the urgent one is told at once', async () => {
    await addRule(opened.db, { from: 'school.example.org', subject: null, action: 'urgent' });
    await addRule(opened.db, { from: 'shop.example.com', subject: null, action: 'archive' });
    google.deliver({ from: 'Head Teacher <office@school.example.org>', subject: 'Closed tomorrow', snippet: 'The school is closed.' });
    google.deliver({ from: 'news@paper.example', subject: 'Morning news', snippet: 'Headlines' });
    google.deliver({ from: 'Shop <deals@shop.example.com>', subject: 'Sale', snippet: '50% off' });
    const job = feature.jobs?.find((j) => j.name === 'gmail-poll');
    if (!job) throw new Error('no gmail-poll job');
    // No cursor yet: the first poll is the bounded full sync of the last day.
    await job.run({ now: new Date(), slot: new Date() });
    const mail = await say('/mail');
    expect(mail).toContain('🚨 Urgent (1)');
    expect(mail).toContain('Head Teacher: Closed tomorrow');
    expect(mail).toContain('📝 Summarized (1)');
    expect(mail).toContain('news@paper.example: Morning news — A short summary.');
    expect(mail).toContain('🗄 Archived (1)');
    expect(messenger.sent.filter((s) => s.message.text.includes('Closed tomorrow'))).toHaveLength(1);
    await job.run({ now: new Date(), slot: new Date() });
    expect(messenger.sent.filter((s) => s.message.text.includes('Closed tomorrow'))).toHaveLength(1);
  });

  it('/rules lists the rules with a delete button each; a tap deletes exactly that rule', async () => {
    const rules = await listRules(opened.db);
    expect(rules.length).toBeGreaterThanOrEqual(2);
    await say('/rules');
    const message = telegram.botMessages(OWNER.id).at(-1);
    if (!message) throw new Error('no /rules reply');
    expect(message.text).toContain('Email rules');
    expect(message.text).toContain('school.example.org');
    const buttons = (message.replyMarkup?.inline_keyboard ?? []).flat();
    expect(buttons.map((b) => b.callback_data)).toEqual(rules.map((r) => `mr:del:${r.id}`));
    const shop = rules.find((r) => r.from === 'shop.example.com');
    await tap(message.message_id, `mr:del:${shop?.id}`);
    expect((await listRules(opened.db)).map((r) => r.id)).toEqual(rules.filter((r) => r.id !== shop?.id).map((r) => r.id));
    const edited = telegram.message(OWNER.id, message.message_id);
    expect(edited?.text).not.toContain('shop.example.com');
    expect(edited?.text).toContain('school.example.org');
  });

  describe('calendar write (GOOGLE_CALENDAR_WRITE=true)', () => {
    const approvalRequests = () => telegram.botMessages(OWNER.id).filter((m) => m.text.startsWith('Approve this action?'));
    const approvalRow = async () => (await opened.db.selectFrom('approvals').selectAll().where('kind', '=', 'tool').orderBy('created_at', 'desc').executeTakeFirst());

    it('"move my 3pm to 4pm" asks first with before and after, moves exactly that event id, and Undo moves it back', async () => {
      google.events.set('ev-dentist', { id: 'ev-dentist', summary: 'Dentist', start: { dateTime: '2026-06-10T15:00:00+02:00', timeZone: ZONE }, end: { dateTime: '2026-06-10T16:00:00+02:00', timeZone: ZONE } });
      google.events.set('ev-lunch', { id: 'ev-lunch', summary: 'Lunch', start: { dateTime: '2026-06-10T12:00:00+02:00' }, end: { dateTime: '2026-06-10T13:00:00+02:00' } });
      const report = await executor.execute('move_calendar_event', { at: '3pm', date: '2026-06-10', to: '4pm' }, OWNER.id);
      expect(report.status).toBe('awaiting-approval');
      expect(google.patches).toEqual([]);
      const request = approvalRequests().at(-1);
      if (!request) throw new Error('no approval request');
      expect(request.text).toContain('Move from Wed 10 Jun 15:00–16:00 to Wed 10 Jun 16:00–17:00: calendar event “Dentist” (Google Calendar)');
      const row = await approvalRow();
      expect(row?.payload).toMatchObject({ tool: 'move_calendar_event', object: { ref: { eventId: 'ev-dentist' } } });

      await tap(request.message_id, `ap:${row?.id}:y`);
      expect(google.patches).toEqual([{ id: 'ev-dentist', body: { start: { dateTime: '2026-06-10T14:00:00Z', timeZone: ZONE }, end: { dateTime: '2026-06-10T15:00:00Z', timeZone: ZONE } } }]);
      expect(google.events.get('ev-lunch')?.start.dateTime).toBe('2026-06-10T12:00:00+02:00');
      expect((await findApproval(opened.db, row?.id ?? ''))?.outcome).toBe('Moved “Dentist” from Wed 10 Jun 15:00–16:00 to Wed 10 Jun 16:00–17:00');

      const undo = telegram.botMessages(OWNER.id).filter((m) => m.text.startsWith('✓ Moved “Dentist”')).at(-1);
      if (!undo) throw new Error('no Undo offer');
      expect(undo.text).toContain('(Undo: back to Wed 10 Jun 15:00–16:00)');
      const undoRow = await opened.db.selectFrom('approvals').selectAll().where('kind', '=', 'undo').orderBy('created_at', 'desc').executeTakeFirst();
      await tap(undo.message_id, `ap:${undoRow?.id}:u`);
      expect(google.events.get('ev-dentist')?.start.dateTime).toBe('2026-06-10T13:00:00Z');
      expect(google.patches).toHaveLength(2);
    });

    it('does not move an event that changed after the request, nor guess between two at the same time', async () => {
      await executor.execute('move_calendar_event', { at: '15:00', date: '2026-06-10', to: '17:30' }, OWNER.id);
      const request = approvalRequests().at(-1);
      const row = await approvalRow();
      const event = google.events.get('ev-dentist');
      if (!event || !request) throw new Error('missing');
      event.start = { dateTime: '2026-06-10T15:15:00+02:00' };
      await tap(request.message_id, `ap:${row?.id}:y`);
      expect((await findApproval(opened.db, row?.id ?? ''))?.outcome).toBe('Not moved: “Dentist” changed since you were asked (it is now Wed 10 Jun 15:15–16:00).');
      expect(google.patches).toHaveLength(2);

      google.events.set('ev-a', { id: 'ev-a', summary: 'Call with Ann', start: { dateTime: '2026-06-11T09:00:00+02:00' }, end: { dateTime: '2026-06-11T09:30:00+02:00' } });
      google.events.set('ev-b', { id: 'ev-b', summary: 'Call with Bob', start: { dateTime: '2026-06-11T09:00:00+02:00' }, end: { dateTime: '2026-06-11T10:00:00+02:00' } });
      const ambiguous = await executor.execute('move_calendar_event', { at: '9am', date: '2026-06-11', to: '11am' }, OWNER.id);
      expect(ambiguous).toMatchObject({ status: 'unresolved' });
      expect(ambiguous.content).toContain('2 events start at 09:00 on Thu 11 Jun: “Call with Ann”, “Call with Bob”. Say which one by its title.');
      const missing = await executor.execute('move_calendar_event', { at: '8am', date: '2026-06-11', to: '11am' }, OWNER.id);
      expect(missing.content).toContain('no event starts at 08:00 on Thu 11 Jun. Timed events that day start at 09:00.');
      const chosen = await executor.execute('move_calendar_event', { at: '9am', date: '2026-06-11', title: 'bob', to: '11am' }, OWNER.id);
      expect(chosen.status).toBe('awaiting-approval');
      expect(approvalRequests().at(-1)?.text).toContain('Move from Thu 11 Jun 09:00–10:00 to Thu 11 Jun 11:00–12:00: calendar event “Call with Bob”');
    });

    it('keeps wall-clock time across a DST change when moving to another day', async () => {
      // Saturday 28 Mar 2026 is CET (+01:00); Sunday 29 Mar is CEST (+02:00).
      google.events.set('ev-run', { id: 'ev-run', summary: 'Run', start: { dateTime: '2026-03-28T08:00:00+01:00' }, end: { dateTime: '2026-03-28T09:00:00+01:00' } });
      await executor.execute('move_calendar_event', { at: '08:00', date: '2026-03-28', to: '08:00', toDate: '2026-03-29' }, OWNER.id);
      const request = approvalRequests().at(-1);
      const row = await approvalRow();
      expect(request?.text).toContain('Move from Sat 28 Mar 08:00–09:00 to Sun 29 Mar 08:00–09:00');
      await tap(request?.message_id ?? 0, `ap:${row?.id}:y`);
      expect(google.events.get('ev-run')?.start).toEqual({ dateTime: '2026-03-29T06:00:00Z', timeZone: ZONE });
    });

    it('without the calendar.events grant the move is refused by Google and reported, nothing changes', async () => {
      google.grantScopes([GMAIL_READONLY, CALENDAR_READONLY]);
      google.revokeAccessTokens();
      try {
        google.events.set('ev-gym', { id: 'ev-gym', summary: 'Gym', start: { dateTime: '2026-06-12T18:00:00+02:00' }, end: { dateTime: '2026-06-12T19:00:00+02:00' } });
        await executor.execute('move_calendar_event', { at: '18:00', date: '2026-06-12', to: '19:00' }, OWNER.id);
        const request = approvalRequests().at(-1);
        const row = await approvalRow();
        await tap(request?.message_id ?? 0, `ap:${row?.id}:y`);
        expect((await findApproval(opened.db, row?.id ?? ''))?.outcome).toMatch(/^Not moved: Google Calendar answered calendar\.events\.patch: HTTP 403 insufficientPermissions/);
        expect(google.events.get('ev-gym')?.start.dateTime).toBe('2026-06-12T18:00:00+02:00');
      } finally {
        google.grantScopes([GMAIL_READONLY, CALENDAR_READONLY, CALENDAR_EVENTS]);
        google.revokeAccessTokens();
      }
    });

    it('is off by default: without GOOGLE_CALENDAR_WRITE no move tool exists and only read-only scopes are asked', async () => {
      const loaded = loadConfig({ DATA_DIR: dir, GOOGLE_CLIENT_ID: google.clientId, GOOGLE_CLIENT_SECRET: google.clientSecret, OPENZERO_SECRET_KEY: KEY });
      if (!loaded.ok) throw new Error(loaded.problems.join('; '));
      expect(loaded.config.google.calendarWrite).toBe(false);
      const tools = new ToolRegistry();
      createGoogleFeature({
        config: loaded.config,
        db: opened.db,
        databaseKind: 'embedded',
        log: silentLogger(),
        registry: new CommandRegistry(),
        auth: new OwnerAuth(opened.db, OWNER.id),
        chats: createTelegramChatMessenger(new Api(telegram.token, { apiRoot: telegram.apiRoot })),
        replies: createTelegramReplyChannel(new Api(telegram.token, { apiRoot: telegram.apiRoot }), silentLogger()),
        ownerChatId: () => OWNER.id,
        messenger,
        tools,
        llm: new ScriptedModel(),
      });
      expect(tools.list().map((t) => t.name)).not.toContain('move_calendar_event');
      expect(tools.list().map((t) => t.name)).toContain('add_email_rule');
      const { requestedScopes } = await import('../../src/google/scopes.js');
      expect(requestedScopes(false)).toEqual([GMAIL_READONLY, CALENDAR_READONLY]);
      expect(requestedScopes(true)).toEqual([GMAIL_READONLY, CALENDAR_READONLY, CALENDAR_EVENTS]);
    });
  });
});
