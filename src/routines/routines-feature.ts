import path from 'node:path';
import type { Feature, FeatureDeps } from '../app/index.js';
import { ChatHandlers, type ChatTurn } from '../commands/index.js';
import type { LanguageModel } from '../llm/index.js';
import type { PauseSwitch } from '../policy/index.js';
import { getSetting, setSetting } from '../settings/index.js';
import { formatLocal, type Clock } from '../time/index.js';
import type { BriefingPeriod, BriefingSection } from './contracts.js';
import { writeBriefing } from './briefing.js';
import { sendHeldDigest } from './held-digest.js';
import { PlansSource } from './plans-source.js';
import type { RoutinePlan } from './recurring-plans.js';
import { markReported, setRoutinePaused, unreportedCatchUps, type RunRow } from './runs-repo.js';
import { routinesOverview } from './routines-overview.js';
import { cronSchedule, everyMinutesSchedule, routineSchedule } from './schedule.js';
import { Scheduler, type RunResult, type Schedulable } from './scheduler.js';
import { nudgeCards, nudgesSection } from './nudges.js';
import { goalsSection, progressSection, projectsSection, remindersSection, STALE_DAYS, staleSection, tasksSection } from './sections.js';

export interface RoutinesFeatureDeps extends FeatureDeps {
  llm: LanguageModel;
  pause: PauseSwitch;
  /** Every feature, read at start: their jobs and briefing sections. */
  features: () => Feature[];
  clock?: Clock;
}

/** The text of the last recurring-plans.md that parsed, so a restart with a broken file still runs it. */
const LAST_GOOD_PLANS_SETTING = 'routines.last_good_plans';

const CALLBACK = /^rt:(run|skip|now|pause|resume):(.+)$/;

/** Routines from recurring-plans.md, feature jobs and the scheduler that runs them; /routines, /daily, /weekly, /review, /monthly. */
export function createRoutinesFeature(deps: RoutinesFeatureDeps): Feature {
  const { db, messenger, config, llm, pause, registry } = deps;
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log.child({ part: 'routines' });
  const plans = new PlansSource({
    file: config.routines.plansFile,
    log,
    report: async (problems, digest) => {
      const lines = problems.slice(0, 20).map((problem) => `• line ${problem.line}: ${problem.reason}`);
      await messenger.send(
        { text: [`**${path.basename(config.routines.plansFile)} has a mistake**; the last good version keeps running until it is fixed.`, ...lines].join('\n') },
        { scope: `plans-error:${digest}`, urgent: true },
      );
    },
    lastGood: { load: () => getSetting(db, LAST_GOOD_PLANS_SETTING), save: (text) => setSetting(db, LAST_GOOD_PLANS_SETTING, text) },
  });
  const ownSections: BriefingSection[] = [
    tasksSection(db),
    projectsSection(db),
    progressSection(db),
    staleSection(db),
    goalsSection(db, path.resolve('personal', 'about-me.md')),
    remindersSection(db),
    nudgesSection(db),
  ];
  const sections = (): Map<string, BriefingSection> => {
    const map = new Map<string, BriefingSection>();
    for (const section of ownSections) map.set(section.key, section);
    // A feature's own section (calendar, emails, or a richer tasks) wins over ours.
    for (const feature of deps.features()) for (const section of feature.briefingSections ?? []) map.set(section.key, section);
    return map;
  };
  const zoneOf = (plan: RoutinePlan): string => plan.timeZone ?? config.timeZone;

  async function compose(plan: RoutinePlan, now: Date, notes: string[]) {
    // Card nudges that were not urgent are folded into the next briefing, whatever it includes.
    const withNudges = plan.includes.includes('nudges') ? plan : { ...plan, includes: [...plan.includes, 'nudges'] };
    return writeBriefing({ plan: withNudges, sections: sections(), llm, now, timeZone: zoneOf(plan), notes });
  }

  async function runRoutine(plan: RoutinePlan, context: { now: Date; scope: string; note?: string }): Promise<RunResult> {
    const reports = await unreportedCatchUps(db);
    const notes = reportLines(reports.filter((run) => run.routine !== `routine:${plan.id}` || run.trigger !== 'catch-up'), config.timeZone);
    if (context.note) notes.unshift(context.note);
    const draft = await compose(plan, context.now, notes);
    if (!draft) return { status: 'nothing', reason: 'nothing to say: no model call, nothing sent' };
    const delivery = await messenger.send({ text: draft.text }, { scope: context.scope });
    if (!delivery) return { status: 'failed', reason: 'the owner chat is not known yet (nobody has written to Z)' };
    await markReported(db, reports.map((run) => run.id));
    for (const used of draft.used) await used.section.delivered?.(used.request);
    if (delivery.held) return { status: 'held', reason: 'quiet hours: held for the digest' };
    return { status: 'delivered', messageIds: delivery.messageIds };
  }

  async function sources(): Promise<Schedulable[]> {
    const items: Schedulable[] = [];
    for (const plan of await plans.plans()) {
      if (!plan.enabled) continue;
      items.push({
        key: `routine:${plan.id}`,
        title: plan.title,
        schedule: routineSchedule(plan.rule, zoneOf(plan)),
        timeZone: zoneOf(plan),
        catchUp: plan.catchUp,
        pausable: true,
        run: (context) => runRoutine(plan, context),
      });
    }
    for (const feature of deps.features()) {
      for (const job of feature.jobs ?? []) {
        items.push({
          key: `job:${job.name}`,
          title: job.name,
          schedule: 'everyMinutes' in job.schedule ? everyMinutesSchedule(job.schedule.everyMinutes) : cronSchedule(job.schedule.cron, config.timeZone),
          timeZone: config.timeZone,
          catchUp: 'once',
          pausable: job.pausable,
          run: async ({ now, slot }) => {
            await job.run({ now, slot });
            return { status: 'done' };
          },
        });
      }
    }
    return items;
  }

  const scheduler = new Scheduler({
    db,
    clock,
    log,
    sources,
    paused: () => pause.paused,
    ask: async (item, runId, slot) => {
      await messenger.send(
        {
          text: `**${item.title}** was due ${formatLocal(slot, item.timeZone)} and was missed while I was down or paused. Send it now?`,
          buttons: [[{ text: 'Run now', data: `rt:run:${runId}` }, { text: 'Skip', data: `rt:skip:${runId}` }]],
        },
        { scope: `ask:${item.key}@${slot.toISOString()}` },
      );
    },
    afterCheck: async (now) => {
      await sendHeldDigest({ db, messenger, now, timeZone: config.timeZone });
      // Nudges speak first, so /pause holds them like every routine.
      if (!pause.paused) await nudgeCards({ db, messenger, now, timeZone: config.timeZone, staleDays: STALE_DAYS, log });
    },
  });

  async function onDemand(turn: ChatTurn, period: BriefingPeriod): Promise<void> {
    const every = period === 'day' ? 'day' : period;
    const all = await plans.plans();
    const plan = all.find((p) => p.rule.every === every && p.enabled) ?? all.find((p) => p.rule.every === every);
    if (!plan) {
      await turn.reply(`There is no ${every === 'day' ? 'daily' : `${every}ly`} routine in ${path.basename(config.routines.plansFile)}.`);
      return;
    }
    await sendNow(turn, plan);
  }

  /** The same code as a scheduled run, without touching the run table (the slot stays the scheduler's). */
  async function sendNow(turn: ChatTurn, plan: RoutinePlan): Promise<void> {
    await turn.typing().catch(() => undefined);
    const draft = await compose({ ...plan, sendIfEmpty: true }, clock(), []);
    await turn.reply(draft?.text ?? 'Nothing to say.');
  }

  const handlers = new ChatHandlers();
  registry.add({ command: 'routines', description: 'Routines and reminders: next run, last run, run now, pause, delete' });
  registry.add({ command: 'daily', description: 'The morning briefing, now' });
  registry.add({ command: 'weekly', description: 'The weekly review, now' });
  registry.add({ command: 'review', description: 'The weekly review, now' });
  registry.add({ command: 'monthly', description: 'The monthly big picture, now' });
  handlers.command('daily', (request) => onDemand(request, 'day'));
  handlers.command(['weekly', 'review'], (request) => onDemand(request, 'week'));
  handlers.command('monthly', (request) => onDemand(request, 'month'));
  handlers.command('routines', async (request) => {
    const { text, buttons } = await routinesOverview({
      db,
      plans: await plans.plans(),
      problems: plans.problems,
      plansFile: config.routines.plansFile,
      now: clock(),
      timeZone: config.timeZone,
      pausedAll: pause.paused,
    });
    await request.reply(text, { html: true, ...(buttons.length > 0 ? { buttons } : {}) });
  });
  handlers.button(CALLBACK, async (press) => {
    const [, action = '', arg = ''] = CALLBACK.exec(press.data) ?? [];
    if (action === 'run' || action === 'skip') {
      const runId = Number(arg);
      if (action === 'run') {
        const outcome = await scheduler.runAsked(runId);
        await press.answer(outcome === 'started' ? 'Running it now.' : 'Already decided.');
      } else {
        const skipped = await scheduler.skipAsked(runId);
        await press.answer(skipped ? 'Skipped.' : 'Already decided.');
      }
      await press.setButtons([]).catch(() => undefined);
      return;
    }
    const plan = (await plans.plans()).find((p) => p.id === arg);
    if (!plan) {
      await press.answer('That routine is no longer in the file.');
      return;
    }
    if (action === 'now') {
      await press.answer(`Sending ${plan.title}…`);
      await sendNow(press, plan);
      return;
    }
    await setRoutinePaused(db, `routine:${plan.id}`, action === 'pause', clock());
    await press.answer(action === 'pause' ? `${plan.title} paused.` : `${plan.title} resumed.`);
    if (action === 'resume') void scheduler.check().catch((err: unknown) => log.warn({ err }, 'check after resume failed'));
  });

  return {
    name: 'routines',
    handlers,
    statusLines: async () => {
      const count = (await plans.plans()).filter((plan) => plan.enabled).length;
      return [`Routines: ${count} enabled${plans.problems.length > 0 ? `, recurring plans file has problems (see /routines)` : ''}.`];
    },
    start: async () => {
      await scheduler.start();
      plans.watch(() => void scheduler.check().catch((err: unknown) => log.warn({ err }, 'check after a plans edit failed')));
    },
    stop: async () => {
      plans.close();
      await scheduler.stop();
    },
  };
}

/** What was caught up or skipped since the last briefing, and why. */
function reportLines(runs: RunRow[], timeZone: string): string[] {
  if (runs.length === 0) return [];
  return [
    'Since the last briefing:',
    ...runs.map((run) => `• ${run.routine.replace(/^routine:/, '')} (${formatLocal(run.slot, timeZone)}): ${run.status}${run.reason ? `, ${run.reason}` : ''}`),
  ];
}
