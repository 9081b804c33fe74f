import fs from 'node:fs/promises';
import path from 'node:path';
import { validate } from 'node-cron';

/**
 * A specialist as its editable files describe it. Each agent is a folder:
 *   soul.md        the persona (its first `# ` heading is the agent's title)
 *   onboarding.md  the interview: one question per `- ` line
 *   heartbeat.md   what the heartbeat looks for and when that is urgent
 *   tools.txt      the tool allowlist: one registry tool name per line
 *   schedule.txt   when the heartbeat runs: one cron line in the owner's time zone
 * The repository ships defaults in `agents/<name>/`; the owner's copy in
 * `personal/agents/<name>/` wins file by file (and can add new agents).
 */
export interface AgentTemplate {
  /** The folder name: lowercase letters, digits and dashes; what /agent takes. */
  name: string;
  title: string;
  soul: string;
  questions: string[];
  heartbeat: string;
  tools: string[];
  /** A cron expression, or undefined when the agent has no heartbeat. */
  schedule: string | undefined;
}

export interface TemplateDirs {
  /** Checked-in defaults (`agents/`). */
  defaults: string;
  /** The owner's copies (`personal/agents/`), which win file by file. */
  owner: string;
}

export function defaultTemplateDirs(cwd: string = process.cwd()): TemplateDirs {
  return { defaults: path.join(cwd, 'agents'), owner: path.join(cwd, 'personal', 'agents') };
}

export type TemplateLoad = { ok: true; template: AgentTemplate } | { ok: false; name: string; problem: string };

const NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Every agent folder in either place, read afresh (edits apply on the next read). Never throws. */
export async function loadTemplates(dirs: TemplateDirs): Promise<TemplateLoad[]> {
  const [defaults, owners] = await Promise.all([folderNames(dirs.defaults), folderNames(dirs.owner)]);
  const names = [...new Set([...defaults, ...owners])].sort();
  // Concurrently: each read is a few thread-pool round trips, which add up at start on a busy machine.
  return Promise.all(names.map((name) => loadTemplate(dirs, name)));
}

const TEMPLATE_FILES = ['soul.md', 'onboarding.md', 'tools.txt', 'schedule.txt', 'heartbeat.md'] as const;

export async function loadTemplate(dirs: TemplateDirs, name: string): Promise<TemplateLoad> {
  if (!NAME.test(name)) return { ok: false, name, problem: 'the folder name must be lowercase letters, digits and dashes' };
  // The owner's copy wins file by file; both places are read at once.
  const texts = await Promise.all(
    TEMPLATE_FILES.map(async (file) => {
      const [owner, fallback] = await Promise.all([readIfExists(path.join(dirs.owner, name, file)), readIfExists(path.join(dirs.defaults, name, file))]);
      return owner ?? fallback ?? '';
    }),
  );
  const [soulText = '', onboarding = '', toolsText = '', scheduleText = '', heartbeat = ''] = texts;
  const soul = stripComments(soulText);
  if (soul === '') return { ok: false, name, problem: 'soul.md is missing or empty' };
  const questions = listItems(onboarding);
  const tools = lines(toolsText);
  const badTool = tools.find((tool) => !/^[a-z][a-z0-9_]{0,63}$/.test(tool));
  if (badTool !== undefined) return { ok: false, name, problem: `tools.txt: "${badTool}" is not a tool name` };
  const schedule = lines(scheduleText)[0];
  if (schedule !== undefined && !validate(schedule)) return { ok: false, name, problem: `schedule.txt: "${schedule}" is not a cron expression` };
  const title = /^#\s+(.+)$/m.exec(soul)?.[1]?.trim() ?? name;
  return {
    ok: true,
    template: { name, title, soul, questions, heartbeat: stripComments(heartbeat), tools, schedule },
  };
}

async function folderNames(dir: string): Promise<string[]> {
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    return entries.filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    return undefined;
  }
}

function stripComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '').trim();
}

/** Non-empty lines that are not `#` comments. */
function lines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The `- item` lines of a Markdown list. */
function listItems(text: string): string[] {
  return stripComments(text)
    .split('\n')
    .map((line) => /^\s*[-*]\s+(.+)$/.exec(line)?.[1]?.trim())
    .filter((item): item is string => item !== undefined && item !== '');
}
