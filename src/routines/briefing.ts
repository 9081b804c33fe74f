import type { LanguageModel } from '../llm/index.js';
import type { BriefingPeriod, BriefingRequest, BriefingSection } from './contracts.js';
import type { RoutinePlan } from './recurring-plans.js';

const SECTION_NAMES: Record<string, string> = {
  calendar: 'Calendar',
  tasks: 'Tasks',
  emails: 'Emails',
  projects: 'Projects',
  progress: 'Progress',
  goals: 'Goals',
  reminders: 'Reminders',
  'stale-projects': 'Stale projects',
  agents: 'Notes from your agents',
  nudges: 'Nudges',
};

export interface BriefingDraft {
  text: string;
  /** Sections that had content: told `delivered()` once the message went out. */
  used: { section: BriefingSection; request: BriefingRequest }[];
  modelCalls: number;
}

export function periodOf(plan: RoutinePlan): BriefingPeriod {
  return plan.rule.every === 'month' ? 'month' : plan.rule.every === 'week' ? 'week' : 'day';
}

/**
 * Gathers the routine's sections and has the local model write the message from
 * those facts. Returns undefined when there is nothing to say (no section with content
 * and no notes) unless the routine asks to be sent anyway: then no model call is made.
 * If the model fails, the facts go out plainly, with one line saying why.
 */
export async function writeBriefing(deps: {
  plan: RoutinePlan;
  sections: ReadonlyMap<string, BriefingSection>;
  llm: LanguageModel;
  now: Date;
  timeZone: string;
  /** Lines about the run itself: what was caught up or skipped overnight, and why. */
  notes: string[];
}): Promise<BriefingDraft | undefined> {
  const { plan, sections, llm, now, timeZone, notes } = deps;
  const request: BriefingRequest = { now, timeZone, period: periodOf(plan) };
  const facts: { title: string; lines: string[] }[] = [];
  const absent: string[] = [];
  const used: BriefingDraft['used'] = [];
  for (const key of plan.includes) {
    const name = SECTION_NAMES[key] ?? key;
    const section = sections.get(key);
    if (!section) {
      absent.push(`${name}: not connected, see README.`);
      continue;
    }
    try {
      const gathered = await section.gather(request);
      if (!gathered.connected) absent.push(`${name}: ${gathered.note}`);
      else if (gathered.lines.length > 0) {
        facts.push({ title: gathered.title, lines: gathered.lines });
        used.push({ section, request });
      }
    } catch (err) {
      absent.push(`${name}: could not be read (${err instanceof Error ? err.message : String(err)}).`);
    }
  }
  if (facts.length === 0 && notes.length === 0 && !plan.sendIfEmpty) return undefined;

  const header = `**${plan.title}**`;
  const tail = [...absent, ...notes];
  if (facts.length === 0) return { text: [header, 'Nothing on the list today.', ...tail].join('\n\n'), used, modelCalls: 0 };

  const factsText = facts.map((section) => `${section.title}:\n${section.lines.map((line) => `- ${line}`).join('\n')}`).join('\n\n');
  try {
    const result = await llm.chat({
      messages: [
        {
          role: 'system',
          content:
            "You are Z, your owner's private chief of staff: calm, warm, direct. Write the owner's " +
            `${plan.title.toLowerCase()} from the facts below and nothing else: never invent events, tasks, mail or numbers. ` +
            `What this message is for: ${plan.prompt || 'a short, useful briefing.'}`,
        },
        { role: 'user', content: factsText },
      ],
    });
    const body = result.content.trim();
    if (body === '') throw new Error('the model returned an empty answer');
    return { text: [header, body, ...tail].join('\n\n'), used, modelCalls: 1 };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    const plain = facts.map((section) => `**${section.title}**\n${section.lines.map((line) => `• ${line}`).join('\n')}`).join('\n\n');
    return { text: [header, plain, `(The local model is not answering (${why}), so here are the facts as they are.)`, ...tail].join('\n\n'), used, modelCalls: 1 };
  }
}
