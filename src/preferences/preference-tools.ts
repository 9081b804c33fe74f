import { z } from 'zod';
import type { Db } from '../db/index.js';
import type { Tool, ToolRegistry } from '../tools/index.js';
import { deletePreference, listPreferences, setPreference } from './preferences-repo.js';

/**
 * Keys that read like policy are not preferences. The owner's approval policy lives in
 * its own store that only the owner's `/policy` command changes; a preference named
 * `policy.…` would do nothing but mislead.
 */
const POLICY_KEY = /^\s*(owner[-_.])?polic(y|ies)([._-]|\s*$)/i;
const POLICY_REFUSAL = 'policy is not a preference: only the owner changes it, with the /policy command. No tool can change it.';

export function isPolicyKey(key: string): boolean {
  return POLICY_KEY.test(key);
}

const keySchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9_.-]+$/i, 'use letters, digits, dots, dashes or underscores')
  .refine((key) => !isPolicyKey(key), POLICY_REFUSAL);

/** list_preferences (L0) and set_preference (L1, with Undo that restores the old value). */
export function registerPreferenceTools(registry: ToolRegistry, db: Db): void {
  const list: Tool<Record<string, never>> = {
    name: 'list_preferences',
    description: "List the owner's saved preferences (key = value), e.g. timezone, briefing time, tone.",
    tier: 'L0',
    args: z.object({}).strict(),
    describe: () => 'List preferences',
    run: async () => {
      const rows = (await listPreferences(db)).filter((row) => !isPolicyKey(row.key));
      return { content: rows.length === 0 ? 'No preferences saved yet.' : rows.map((row) => `${row.key} = ${row.value}`).join('\n') };
    },
  };
  const set: Tool<{ key: string; value: string }> = {
    name: 'set_preference',
    description:
      "Save one of the owner's preferences (key/value). Use when the owner states a lasting preference. " +
      'It cannot change which actions need approval (that is /policy, for the owner only).',
    tier: 'L1',
    args: z.object({ key: keySchema, value: z.string().trim().min(1).max(500) }).strict(),
    describe: ({ key, value }) => `Set preference ${key} = ${value}`,
    run: async ({ key, value }) => {
      const previous = await setPreference(db, key, value);
      return {
        content: `Saved ${key} = ${value}${previous !== undefined ? ` (was ${previous})` : ''}.`,
        summary: `Preference ${key} = ${value}`,
        undo: { kind: 'restore_preference', payload: { key, previous: previous ?? null }, label: previous === undefined ? `remove ${key}` : `back to ${previous}` },
      };
    },
  };
  registry.register(list);
  registry.register(set);
  registry.registerUndo('restore_preference', async (payload) => {
    const { key, previous } = z.object({ key: z.string(), previous: z.string().nullable() }).parse(payload);
    if (isPolicyKey(key)) return POLICY_REFUSAL;
    if (previous === null) {
      await deletePreference(db, key);
      return `Removed preference ${key}.`;
    }
    await setPreference(db, key, previous);
    return `Preference ${key} is ${previous} again.`;
  });
}
