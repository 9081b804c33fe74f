import fs from 'node:fs';
import path from 'node:path';
import type { Feature, FeatureDeps } from '../app/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import { ChatHandlers, type CommandRequest } from '../commands/index.js';
import { agenda } from '../calendar/calendar-view.js';
import { createGoogleCalendarSource, type CalendarEditor } from '../calendar/calendar-source.js';
import { registerMoveEventTool } from '../calendar/move-event-tool.js';
import { startOfZonedDay } from '../calendar/zoned-day.js';
import type { LanguageModel } from '../llm/index.js';
import { parseRulesSection } from '../mail/email-rules.js';
import { createGmailMailbox } from '../mail/gmail-mailbox.js';
import { mailCommands, senderName } from '../mail/mail-commands.js';
import { MailPoller } from '../mail/mail-poller.js';
import { markIncluded, pendingSummaries, seenCounts } from '../mail/mail-repo.js';
import { registerRuleTools } from '../mail/rule-tools.js';
import { seedRulesOnce } from '../mail/rules-repo.js';
import type { BriefingRequest, BriefingSection } from '../routines/contracts.js';
import { CredentialStore } from '../secrets/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { resolveClientCredentials } from './client-credentials.js';
import { connectSteps } from './connect-steps.js';
import { googleRevokedAt } from './google-connection.js';
import { classifyGoogleError } from './google-errors.js';
import { GoogleSession } from './google-session.js';
import { reportRevoked } from './revocation.js';
import { loadTokens, saveTokens } from './stored-tokens.js';

export interface GoogleFeatureDeps extends FeatureDeps {
  tools: ToolRegistry;
  llm: LanguageModel;
}

export interface GoogleFeatureOptions {
  now?: () => Date;
  /** Defaults to personal/requirements.md in the working directory. */
  requirementsFile?: string;
}

/**
 * Gmail triage and Google Calendar: /google, /mail, /rules, /today, /week, the rule tools, the
 * mail poll job (EMAIL_POLL_MINUTES, pausable) and the briefing's `emails` and `calendar`
 * sections. Without an OAuth client or OPENZERO_SECRET_KEY it still answers /google with the steps.
 */
export function createGoogleFeature(deps: GoogleFeatureDeps, options: GoogleFeatureOptions = {}): Feature {
  const now = options.now ?? (() => new Date());
  const log = deps.log.child({ part: 'google' });
  const { google, timeZone } = deps.config;
  const client = resolveClientCredentials(google);
  const store = google.secretKeys.length > 0 ? new CredentialStore(deps.db, google.secretKeys) : undefined;
  const session = client.ok && store ? new GoogleSession({ client: client.credentials, store, tokenUrl: google.tokenUrl, log }) : undefined;
  const poller = session
    ? new MailPoller({
        db: deps.db,
        mailbox: createGmailMailbox(session, google.apiRoot),
        llm: deps.llm,
        messenger: deps.messenger,
        log: log.child({ part: 'gmail' }),
        now,
        onRevoked: (err) => reportRevoked({ db: deps.db, messenger: deps.messenger, log, now }, err),
      })
    : undefined;
  const calendar: CalendarEditor | undefined = session ? createGoogleCalendarSource(session, google.apiRoot) : undefined;
  let connected = false;

  async function problem(): Promise<string | undefined> {
    if (!client.ok) return `Google is ${client.problem} (send /google for the steps).`;
    if (!store) return 'Google is not configured: OPENZERO_SECRET_KEY is not set (send /google).';
    const revoked = await googleRevokedAt(deps.db);
    if (revoked) return `Google access was revoked or expired (since ${revoked.toISOString().slice(0, 16).replace('T', ' ')} UTC): polling paused. Run npm run google:auth (send /google).`;
    if (!connected && !(await loadTokens(store).catch(() => undefined))) return 'Google is not connected yet: run npm run google:auth on the server (send /google).';
    connected = true;
    return undefined;
  }

  registerRuleTools(deps.tools, { db: deps.db, now });
  // Calendar write is off by default; when on, moving an event is an L2 approval with Undo.
  if (google.calendarWrite && calendar) registerMoveEventTool(deps.tools, { calendar, timeZone, now });

  const handlers = new ChatHandlers();
  deps.registry.add({ command: 'google', description: 'How to connect Gmail and Google Calendar (read-only), step by step' });
  deps.registry.add({ command: 'today', description: "Today's calendar events" });
  deps.registry.add({ command: 'week', description: "This week's calendar events (7 days from today)" });
  handlers.command('google', async (request) => {
    const state = await problem();
    await request.reply(`${escapeHtml(state ?? 'Google is connected.')}\n\n<pre>${escapeHtml(connectSteps())}</pre>`, { html: true });
  });
  const agendaReply = (days: number) => async (request: CommandRequest) => {
    const state = await problem();
    if (state || !calendar) {
      await request.reply(state ?? 'Google Calendar is not configured (send /google).');
      return;
    }
    try {
      const from = startOfZonedDay(now(), timeZone);
      const events = await calendar.events(from, startOfZonedDay(now(), timeZone, days), timeZone);
      const view = agenda(events, from, days, timeZone);
      const text = view.length === 0 ? (days === 1 ? 'Nothing on your calendar today.' : 'Nothing on your calendar this week.') : view.map((d) => [`<b>${escapeHtml(d.label)}</b>`, ...d.lines.map((l) => `• ${escapeHtml(l)}`)].join('\n')).join('\n\n');
      await request.reply(text, { html: true });
    } catch (err) {
      const failure = classifyGoogleError('calendar', err);
      if (failure.kind === 'auth-revoked') await reportRevoked({ db: deps.db, messenger: deps.messenger, log, now }, failure);
      await request.reply(`Calendar unavailable: ${failure.kind === 'auth-revoked' ? 'Google access was revoked or expired (send /google)' : failure.message}`);
    }
  };
  handlers.command('today', agendaReply(1));
  handlers.command('week', agendaReply(7));
  handlers.use(mailCommands({ db: deps.db, registry: deps.registry, timeZone, now, problem }));

  const gathered = new Map<string, string[]>();
  const emails: BriefingSection = {
    key: 'emails',
    async gather(request: BriefingRequest) {
      const state = await problem();
      if (state) return { connected: false, note: state };
      const pending = await pendingSummaries(deps.db);
      gathered.set(request.now.toISOString(), pending.map((m) => m.id));
      return { connected: true, title: 'Email', lines: pending.map((m) => `${senderName(m.sender)}: ${m.summary ?? m.subject}`) };
    },
    async delivered(request: BriefingRequest) {
      const ids = gathered.get(request.now.toISOString()) ?? [];
      gathered.delete(request.now.toISOString());
      await markIncluded(deps.db, ids);
    },
  };
  const calendarSection: BriefingSection = {
    key: 'calendar',
    async gather(request: BriefingRequest) {
      const state = await problem();
      if (state || !calendar) return { connected: false, note: state ?? 'Google Calendar is not configured.' };
      const days = request.period === 'day' ? 1 : request.period === 'week' ? 7 : 31;
      const from = startOfZonedDay(request.now, request.timeZone);
      const events = await calendar.events(from, startOfZonedDay(request.now, request.timeZone, days), request.timeZone);
      const view = agenda(events, from, days, request.timeZone);
      return { connected: true, title: 'Calendar', lines: days === 1 ? view.flatMap((d) => d.lines) : view.flatMap((d) => d.lines.map((l) => `${d.label}: ${l}`)) };
    },
  };

  return {
    name: 'google',
    handlers,
    probes: [
      {
        name: 'Google (Gmail, Calendar)',
        configured: session !== undefined,
        notConfiguredNote: client.ok ? 'not configured: OPENZERO_SECRET_KEY is not set (/google)' : 'not configured (/google)',
        check: async () => {
          const state = await problem();
          return state ? { ok: false, detail: state } : { ok: true, detail: `connected · mail every ${google.emailPollMinutes} min` };
        },
      },
    ],
    statusLines: async () => {
      if (!session) return [];
      const state = await problem();
      const counts = await seenCounts(deps.db);
      const backoff = poller?.backoffUntil;
      return [
        `Google: ${state ?? 'connected'}`,
        `Mail: ${counts.total} messages seen, ${counts.open} waiting${backoff && backoff > now() ? `, rate limited until ${backoff.toISOString().slice(11, 16)} UTC` : ''}`,
      ];
    },
    jobs: poller
      ? [
          {
            name: 'gmail-poll',
            schedule: { everyMinutes: google.emailPollMinutes },
            pausable: true,
            run: async () => {
              if (await problem()) return;
              await poller.poll();
            },
          },
        ]
      : [],
    briefingSections: [emails, calendarSection],
    start: async () => {
      const file = options.requirementsFile ?? path.join(process.cwd(), 'personal', 'requirements.md');
      if (fs.existsSync(file)) {
        const parsed = parseRulesSection(fs.readFileSync(file, 'utf8'));
        for (const issue of parsed.problems) log.warn({ file, issue: issue.slice(0, 200) }, 'email rule line ignored');
        const seeded = await seedRulesOnce(deps.db, parsed.rules);
        if (seeded > 0) log.info({ seeded }, 'email rules seeded from personal/requirements.md');
      }
      if (!store) return;
      const rotated = await store.rotate();
      if (rotated.resealed > 0) log.info({ resealed: rotated.resealed }, 'credentials re-sealed with the current OPENZERO_SECRET_KEY');
      if (rotated.unreadable.length > 0) log.error({ names: rotated.unreadable }, 'stored credentials open with neither OPENZERO_SECRET_KEY nor OPENZERO_SECRET_KEY_PREVIOUS');
      if (google.refreshToken && !(await loadTokens(store).catch(() => undefined))) {
        await saveTokens(store, { refresh_token: google.refreshToken });
        log.info('GOOGLE_REFRESH_TOKEN stored encrypted (it may now be removed from .env)');
      }
    },
  };
}
