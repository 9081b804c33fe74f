import { validate } from 'node-cron';
import { z } from 'zod';
import type { Db } from '../db/index.js';
import type { Tool, ToolRegistry } from '../tools/index.js';
import { deleteSkill, listSkills, saveSkill } from './skills-repo.js';

const UNDO_SAVE = 'undo_save_skill';

export const SKILL_NAME = /^[a-z][a-z0-9-]{0,39}$/;

const SkillArgs = z
  .object({
    name: z.string().trim().regex(SKILL_NAME, 'lowercase letters, digits and dashes, starting with a letter (at most 40)'),
    description: z.string().trim().min(1).max(200),
    body: z.string().trim().min(1).max(8000),
    schedule: z
      .string()
      .trim()
      .refine((value) => validate(value), 'a cron expression (minute hour day month weekday), e.g. "0 17 * * 5" for Fridays at 17:00')
      .optional(),
  })
  .strict();

const UndoPayload = z.object({
  name: z.string(),
  previous: z.object({ description: z.string(), body: z.string(), schedule: z.string().nullable(), author: z.string() }).nullable(),
});

export interface SkillToolDeps {
  db: Db;
  now: () => Date;
  /** After a save or an undo: scheduled skills follow. */
  changed: () => Promise<void>;
}

/** `save_skill` (L1, Undo removes it or restores the version it replaced) and `list_skills` (L0). */
export function registerSkillTools(registry: ToolRegistry, deps: SkillToolDeps): void {
  const save: Tool<z.infer<typeof SkillArgs>> = {
    name: 'save_skill',
    description:
      'Save a skill: a short Markdown procedure that combines existing tools, which the owner can run by name (/skill <name>) ' +
      'or on a schedule. Write numbered steps naming the tools to use and what to report at the end. ' +
      'schedule is an optional cron expression in the owner\'s time zone ("0 17 * * 5" = Fridays 17:00). Saving under an existing name replaces it.',
    tier: 'L1',
    args: SkillArgs,
    describe: ({ name, schedule }) => `Save the skill “${name}”${schedule ? ` (runs ${schedule})` : ''}`,
    run: async (args, ctx) => {
      const previous = await saveSkill(deps.db, { name: args.name, description: args.description, body: args.body, schedule: args.schedule ?? null, author: ctx.actor ?? 'Z' }, deps.now());
      await deps.changed();
      return {
        content: `Saved the skill “${args.name}”. The owner can run it with /skill ${args.name}${args.schedule ? `; it also runs on the schedule ${args.schedule}` : ''}.`,
        summary: `${previous ? 'Replaced' : 'Saved'} the skill “${args.name}”`,
        undo: {
          kind: UNDO_SAVE,
          payload: { name: args.name, previous: previous ? { description: previous.description, body: previous.body, schedule: previous.schedule, author: previous.author } : null },
          label: previous ? 'Restore the previous version' : 'Remove the skill',
        },
      };
    },
  };

  const list: Tool<Record<string, never>> = {
    name: 'list_skills',
    description: "List the owner's saved skills with their schedules.",
    tier: 'L0',
    args: z.object({}).strict(),
    describe: () => 'List skills',
    run: async () => {
      const skills = await listSkills(deps.db);
      if (skills.length === 0) return { content: 'No skills saved yet.' };
      return { content: skills.map((skill) => `${skill.name}: ${skill.description}${skill.schedule ? ` (runs ${skill.schedule})` : ''}`).join('\n') };
    },
  };

  registry.register(save);
  registry.register(list);
  registry.registerUndo(UNDO_SAVE, async (payload) => {
    const { name, previous } = UndoPayload.parse(payload);
    if (previous === null) {
      const removed = await deleteSkill(deps.db, name);
      await deps.changed();
      return removed ? `Removed the skill “${name}”.` : `The skill “${name}” was already gone.`;
    }
    await saveSkill(deps.db, { name, ...previous }, deps.now());
    await deps.changed();
    return `The skill “${name}” is back to its previous version.`;
  });
}
