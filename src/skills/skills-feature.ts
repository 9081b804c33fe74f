import type { Feature, FeatureDeps } from '../app/index.js';
import { ChatHandlers, type Buttons, type ChatTurn } from '../commands/index.js';
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

  async function runByName(turn: ChatTurn, name: string): Promise<void> {
    const chatId = turn.chatId;
    if (chatId === undefined) return;
    const skill = SKILL_NAME.test(name) ? await getSkill(db, name) : undefined;
    if (!skill) {
      await turn.reply(`There is no skill called “${name}”. /skills lists them.`);
      return;
    }
    await turn.typing().catch(() => undefined);
    try {
      await turn.reply(reportText(skill, await runSkill(skill, chatId, runnerDeps)));
    } catch (err) {
      if (!(err instanceof LlmError)) throw err;
      log.warn({ kind: err.kind, skill: skill.name }, 'skill run: the local model failed');
      await turn.reply(`The skill “${skill.name}” stopped: the local model did not answer (${err.message}). Nothing after that step was done.`);
    }
  }

  registry.add({ command: 'skills', description: 'Your saved skills (procedures Z follows), with Run buttons' });
  registry.add({ command: 'skill', description: 'Run a saved skill now', args: '<name>' });
  const handlers = new ChatHandlers();
  handlers.command('skills', async (request) => {
    const skills = await listSkills(db);
    if (skills.length === 0) {
      await request.reply('No skills yet. Ask Z to save one, e.g. “every Friday, collect receipts from mail and add the total to the Finance board”.');
      return;
    }
    const lines = ['<b>Skills</b>'];
    const buttons: Buttons = [];
    for (const skill of skills) {
      lines.push(`• <b>${escapeHtml(skill.name)}</b>: ${escapeHtml(skill.description)}${skill.schedule ? ` (runs <code>${escapeHtml(skill.schedule)}</code>)` : ''} — by ${escapeHtml(skill.author)}`);
      buttons.push([{ text: `▶ ${skill.name}`, data: `sk:run:${skill.name}` }]);
    }
    await request.reply(lines.join('\n'), { html: true, buttons });
  });
  handlers.command('skill', async (request) => {
    const name = request.args.trim().toLowerCase();
    if (name === '') {
      await request.reply('Usage: /skill <name>. /skills lists them.');
      return;
    }
    await runByName(request, name);
  });
  handlers.button(CALLBACK, async (press) => {
    const name = CALLBACK.exec(press.data)?.[1] ?? '';
    await press.answer(`Running ${name}…`).catch(() => undefined);
    await runByName(press, name);
  });

  return {
    name: 'skills',
    handlers,
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
