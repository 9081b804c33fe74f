import { z } from 'zod';
import type { Db } from '../db/index.js';
import type { Tool, ToolRegistry } from '../tools/index.js';
import { describeRule, EMAIL_ACTIONS, type EmailAction, type RulePattern } from './email-rules.js';
import { addRule, findRule, listRules, removeRule, restoreRule, updateRule } from './rules-repo.js';

const pattern = z.string().trim().min(1).max(200);
const action = z.enum(EMAIL_ACTIONS as [EmailAction, ...EmailAction[]]).describe('urgent = tell the owner at once; summarize = one line in the morning briefing; archive = leave it out');
const RuleArgs = z
  .object({
    from: pattern.optional().describe("Text to find in the sender's name or address, e.g. school.example.org"),
    subject: pattern.optional().describe('Text to find in the subject'),
    action,
  })
  .strict()
  .refine((args) => args.from !== undefined || args.subject !== undefined, { message: 'give from, subject or both' });
type RuleArgs = z.infer<typeof RuleArgs>;

const UndoAdd = z.object({ id: z.number().int() });
const UndoChange = z.object({ id: z.number().int(), before: z.object({ from: z.string().nullable(), subject: z.string().nullable(), action: z.enum(['urgent', 'summarize', 'archive']) }) });

function toPattern(args: RuleArgs): RulePattern {
  return { from: args.from ?? null, subject: args.subject ?? null, action: args.action };
}

/**
 * The owner's mail rules as model tools: list (L0), add, change and remove (L1, each with Undo).
 * These tools act only for the owner's own chat turns; mail text never reaches this model.
 */
export function registerRuleTools(registry: ToolRegistry, deps: { db: Db; now: () => Date }): void {
  const { db, now } = deps;

  const list: Tool<Record<string, never>> = {
    name: 'list_email_rules',
    description: 'List the owner’s email triage rules with their #ids, in the order they are tried (first match wins).',
    tier: 'L0',
    args: z.object({}).strict(),
    describe: () => 'List email rules',
    run: async () => {
      const rules = await listRules(db);
      return { content: rules.length === 0 ? 'No email rules: all mail is summarized.' : rules.map((r) => `#${r.id} ${describeRule(r)}`).join('\n') };
    },
  };

  const add: Tool<RuleArgs> = {
    name: 'add_email_rule',
    description: 'Add an email triage rule (tried after the existing ones). Matching ignores case and looks for the text anywhere.',
    tier: 'L1',
    args: RuleArgs,
    describe: (args) => `Add email rule ${describeRule(toPattern(args))}`,
    run: async (args) => {
      const rule = await addRule(db, toPattern(args));
      const line = `Added rule #${rule.id}: ${describeRule(rule)}`;
      return { content: line, summary: line, undo: { kind: 'mail_rule_unadd', payload: { id: rule.id }, label: `remove rule #${rule.id}` } };
    },
  };

  const change: Tool<RuleArgs & { id: number }> = {
    name: 'change_email_rule',
    description: 'Replace an email rule (by its #id from list_email_rules) with a new match and action.',
    tier: 'L1',
    args: z
      .object({ id: z.number().int().positive(), from: pattern.optional(), subject: pattern.optional(), action })
      .strict()
      .refine((args) => args.from !== undefined || args.subject !== undefined, { message: 'give from, subject or both' }),
    describe: (args) => `Change email rule #${args.id} to ${describeRule(toPattern(args))}`,
    run: async (args) => {
      const before = await findRule(db, args.id);
      if (!before || before.deleted) return { content: `Not done: there is no rule #${args.id}.` };
      await updateRule(db, args.id, toPattern(args));
      const line = `Changed rule #${args.id}: ${describeRule(before)} → ${describeRule(toPattern(args))}`;
      return {
        content: line,
        summary: line,
        undo: { kind: 'mail_rule_restore', payload: { id: args.id, before: { from: before.from, subject: before.subject, action: before.action } }, label: `back to ${describeRule(before)}` },
      };
    },
  };

  const remove: Tool<{ id: number }> = {
    name: 'remove_email_rule',
    description: 'Remove an email rule by its #id from list_email_rules.',
    tier: 'L1',
    args: z.object({ id: z.number().int().positive() }).strict(),
    describe: (args) => `Remove email rule #${args.id}`,
    run: async (args) => {
      const rule = await findRule(db, args.id);
      if (!rule || rule.deleted || !(await removeRule(db, args.id, now()))) return { content: `Not done: there is no rule #${args.id}.` };
      const line = `Removed rule #${rule.id}: ${describeRule(rule)}`;
      return { content: line, summary: line, undo: { kind: 'mail_rule_unremove', payload: { id: rule.id }, label: `restore rule #${rule.id}` } };
    },
  };

  registry.register(list);
  registry.register(add);
  registry.register(change);
  registry.register(remove);
  registry.registerUndo('mail_rule_unadd', async (payload) => {
    const { id } = UndoAdd.parse(payload);
    return (await removeRule(db, id, now())) ? `Removed rule #${id}.` : `Rule #${id} was already gone.`;
  });
  registry.registerUndo('mail_rule_unremove', async (payload) => {
    const { id } = UndoAdd.parse(payload);
    return (await restoreRule(db, id)) ? `Restored rule #${id} in its old place.` : `Rule #${id} is already active.`;
  });
  registry.registerUndo('mail_rule_restore', async (payload) => {
    const { id, before } = UndoChange.parse(payload);
    await updateRule(db, id, before);
    return `Rule #${id} is back to ${describeRule(before)}.`;
  });
}
