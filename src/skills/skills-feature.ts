import { Composer } from 'grammy';
import type { InlineKeyboardButton } from 'grammy/types';
import type { Feature, FeatureDeps } from '../app/index.js';
import { replyText, type BotContext } from '../channels/telegram/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import { LlmError, type LanguageModel } from '../llm/index.js';
import type { ToolExecutor } from '../policy/index.js';
import type { ScheduledJob } from '../routines/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { runSkill, type SkillRun } from './skill-runner.js';
import { registerSkillTools, SKILL_NAME } from './skill-tools.js';
import { getSkill, listSkills, type Skill } from './skills-repo.js';

export interface SkillsFeatureDeps extends FeatureDeps {
  tools: ToolRegistry;
  executor: ToolExecutor;
  /** The COS lane of the model queue. */
  cos: LanguageModel;
  now?: () => Date;
}

const CALLBACK = /^sk:run:([a-z][a-z0-9-]{0,39})$/;

/** Skills: Markdown procedures Z saves with a tool (L1, Undo); /skills, /skill <name>, and scheduled runs. */
export function createSkillsFeature(deps: SkillsFeatureDeps): Feature {
  const { db, registry } = deps;
  const log = deps.log.child({ part: 'skills' });
  const now = deps.now ?? (() => new Date());
  let scheduled: Skill[] = [];
  const refresh = async (): Promise<void> => {
    scheduled = (await listSkills(db)).filter((skill) => skill.schedule !== null);
  };
  registerSkillTools(deps.tools, { db, now, changed: refresh });
  const runnerDeps = { llm: deps.cos, tools: deps.tools, executor: deps.executor, log, timeZone: deps.config.timeZone, now };

  function job(skill: Skill, schedule: string): ScheduledJob {
    return {
      name: `skill-${skill.name}`,
      schedule: { cron: schedule },
      pausable: true,
      run: async ({ slot }) => {
        const chatId = deps.ownerChatId();
        const current = await getSkill(db, skill.name);
        if (chatId === undefined || !current) return;
        const run = await runSkill(current, chatId, runnerDeps);
        await deps.messenger.send({ text: reportText(current, run) }, { scope: `skill:${skill.name}@${slot.toISOString()}` });
      },
    };
  }

  async function runByName(ctx: BotContext, name: string): Promise<void> {
    const chatId = ctx.chat?.id;
    if (chatId === undefined) return;
    const skill = SKILL_NAME.test(name) ? await getSkill(db, name) : undefined;
    if (!skill) {
      await replyText(ctx, `There is no skill called “${name}”. /skills lists them.`);
      return;
    }
    await ctx.replyWithChatAction('typing').catch(() => undefined);
    try {
      await replyText(ctx, reportText(skill, await runSkill(skill, chatId, runnerDeps)));
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      log.warn({ kind: err.kind, skill: skill.name }, 'skill run: the local model failed');
      await replyText(ctx, `The skill “${skill.name}” stopped: the local model did not answer (${err.message}). Nothing after that step was done.`);
    }
  }

  registry.add({ command: 'skills', description: 'Your saved skills (procedures Z follows), with Run buttons' });
  registry.add({ command: 'skill', description: 'Run a saved skill now', args: '<name>' });
  const composer = new Composer<BotContext>();
  composer.command('skills', async (ctx) => {
    const skills = await listSkills(db);
    if (skills.length === 0) {
      await replyText(ctx, 'No skills yet. Ask Z to save one, e.g. “every Friday, collect receipts from mail and add the total to the Finance board”.');
      return;
    }
    const lines = ['<b>Skills</b>'];
    const buttons: InlineKeyboardButton[][] = [];
    for (const skill of skills) {
      lines.push(`• <b>${escapeHtml(skill.name)}</b>: ${escapeHtml(skill.description)}${skill.schedule ? ` (runs <code>${escapeHtml(skill.schedule)}</code>)` : ''} — by ${escapeHtml(skill.author)}`);
      buttons.push([{ text: `▶ ${skill.name}`, callback_data: `sk:run:${skill.name}` }]);
    }
    await replyText(ctx, lines.join('\n'), { html: true, buttons: { inline_keyboard: buttons } });
  });
  composer.command('skill', async (ctx) => {
    const name = ctx.match.trim().toLowerCase();
    if (name === '') {
      await replyText(ctx, 'Usage: /skill <name>. /skills lists them.');
      return;
    }
    await runByName(ctx, name);
  });
  composer.callbackQuery(CALLBACK, async (ctx) => {
    const name = CALLBACK.exec(ctx.callbackQuery.data)?.[1] ?? '';
    await ctx.answerCallbackQuery({ text: `Running ${name}…` }).catch(() => undefined);
    await runByName(ctx, name);
  });

  return {
    name: 'skills',
    composer,
    // Read on every scheduler check: a saved or undone schedule applies at the next one.
    get jobs(): ScheduledJob[] {
      return scheduled.flatMap((skill) => (skill.schedule !== null ? [job(skill, skill.schedule)] : []));
    },
    start: refresh,
  };
}

function reportText(skill: Skill, run: SkillRun): string {
  const steps = run.steps.length > 0 ? `\n\n_Steps: ${run.steps.map((step) => `${step.tool} (${step.status})`).join(', ')}_` : '';
  return `**Skill ${skill.name}**\n${run.report}${steps}`;
}
