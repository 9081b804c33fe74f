import type { LanguageModel, ChatMessage, ToolSpec } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { ToolExecutor } from '../policy/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { formatNow } from '../tools/builtin/current-time.js';
import type { Skill } from './skills-repo.js';

export const MAX_SKILL_STEPS = 8;

export interface SkillRunnerDeps {
  /** The COS lane of the model queue: behind the owner's chat, ahead of heartbeats. */
  llm: LanguageModel;
  tools: ToolRegistry;
  /** The action gate: every step of a skill is a tool call under the owner's policy. */
  executor: ToolExecutor;
  log: Logger;
  timeZone: string;
  now: () => Date;
}

export interface SkillRun {
  /** The model's closing report for the owner. */
  report: string;
  /** Tool calls made, in order, with how each ended (ran, awaiting-approval, …). */
  steps: { tool: string; status: string }[];
}

/**
 * Carries out a skill: the procedure goes to the local model with the tool registry, and
 * every call goes through the action gate (risk tiers, approvals, pause and audit
 * unchanged: a skill can do nothing the owner's chat could not). Model errors propagate.
 */
export async function runSkill(skill: Skill, chatId: number, deps: SkillRunnerDeps): Promise<SkillRun> {
  const specs: ToolSpec[] = deps.tools.specs().filter((spec) => spec.name !== 'save_skill');
  const messages: ChatMessage[] = [
    {
      role: 'system',
      content:
        `You are Z, the owner's chief of staff, carrying out the owner's saved skill “${skill.name}”. ` +
        'Follow the procedure step by step with the tools. Never claim an action happened unless its tool result says so; ' +
        'an action waiting for approval has not happened. Finish with a short report for the owner: what you did, what waits for them.\n\n' +
        `It is ${formatNow(deps.now(), deps.timeZone)}.`,
    },
    { role: 'user', content: `Procedure (${skill.description}):\n\n${skill.body}` },
  ];
  const steps: SkillRun['steps'] = [];
  for (let step = 0; step < MAX_SKILL_STEPS; step += 1) {
    const offerTools = step < MAX_SKILL_STEPS - 1;
    const result = await deps.llm.chat({ messages, ...(offerTools ? { tools: specs } : {}) });
    if (!offerTools || result.toolCalls.length === 0) {
      const report = result.content.trim();
      return { report: report === '' ? 'The skill finished without a report.' : report, steps };
    }
    messages.push({ role: 'assistant', content: result.content, toolCalls: result.toolCalls });
    for (const call of result.toolCalls) {
      const outcome =
        call.name === 'save_skill'
          ? { status: 'invalid', content: 'A skill cannot save skills.' }
          : await deps.executor.execute(call.name, call.arguments, chatId, { actor: 'Z' });
      steps.push({ tool: call.name, status: outcome.status });
      deps.log.info({ skill: skill.name, tool: call.name, status: outcome.status }, 'skill step');
      messages.push({ role: 'tool', content: outcome.content, toolName: call.name, toolCallId: call.id });
    }
  }
  return { report: 'The skill ran out of steps before it finished.', steps };
}
