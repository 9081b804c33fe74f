import { escapeHtml } from '../channels/telegram/format/index.js';
import type { CommandRegistry } from '../commands/index.js';
import { ChatHandlers } from '../commands/index.js';
import type { Db } from '../db/index.js';
import type { ProjectStatus } from '../db/tables/board.table.js';
import type { BoardStructure } from './board-structure.js';
import { findBoard } from './board-structure.js';
import { renderTree, wouldCycle } from './project-tree.js';
import { insertProject, listProjects, updateProject, type Project, type ProjectPatch } from './projects-repo.js';
import { boardCounts } from './tasks-repo.js';

export const PROJECT_USAGE = [
  '/project add <name> [under <parent>] [link <board>] [priority <1-5>]',
  '/project <name or #id> status active|paused|completed|archived',
  '/project <name or #id> progress <0-100>',
  '/project <name or #id> under <parent>|top',
  '/project <name or #id> link <board>|none   (progress = done/total cards on that board)',
  '/project <name or #id> priority <1-5>',
  '/project <name or #id> reviewed',
].join('\n');

const STATUSES: readonly ProjectStatus[] = ['active', 'paused', 'completed', 'archived'];

export interface ProjectCommandDeps {
  db: Db;
  registry: CommandRegistry;
  structure: () => Promise<BoardStructure>;
  now: () => Date;
}

/** /tree and /project: the project hierarchy (seed §10, §17). */
export function projectCommands(deps: ProjectCommandDeps): ChatHandlers {
  const { db, registry } = deps;
  registry.add({ command: 'tree', description: 'The project tree with status and progress', args: '[all]' });
  registry.add({
    command: 'project',
    description: 'Add a project, or set its status, progress, parent, board link or priority',
    args: 'add <name> [under <parent>] [link <board>] | <name> status|progress|under|link|priority|reviewed <value>',
  });
  const handlers = new ChatHandlers();

  handlers.command('tree', async (request) => {
    const projects = await listProjects(db);
    const lines = renderTree(projects, await boardCounts(db), { all: request.args.trim().toLowerCase() === 'all' });
    const text = lines.length === 0 ? `No projects yet. Add one:\n${PROJECT_USAGE}` : lines.join('\n');
    await request.reply(escapeHtml(text), { html: true });
  });

  handlers.command('project', async (request) => {
    const reply = await runProjectCommand(deps, request.args.trim());
    await request.reply(escapeHtml(reply), { html: true });
  });
  return handlers;
}

/** Carries out one /project line; returns what to tell the owner. */
export async function runProjectCommand(deps: ProjectCommandDeps, text: string): Promise<string> {
  const { db } = deps;
  if (text === '') return `Usage:\n${PROJECT_USAGE}`;
  const projects = await listProjects(db);
  const add = /^add\s+(.+)$/i.exec(text);
  if (add?.[1]) {
    const parts = splitKeywords(add[1], ['under', 'link', 'priority']);
    const name = parts.head.trim();
    if (name === '' || name.length > 120) return 'A project needs a name (up to 120 characters).';
    let parentId: number | null = null;
    if (parts.under) {
      const parent = findProject(projects, parts.under);
      if (!parent) return `There is no project "${parts.under}" to put it under.`;
      parentId = parent.id;
    }
    const link = parts.link ? await boardName(deps, parts.link) : null;
    if (link === undefined) return `There is no board called "${parts.link ?? ''}".`;
    const priority = parts.priority ? Number(parts.priority) : 3;
    if (!Number.isInteger(priority) || priority < 1 || priority > 5) return 'Priority is a whole number from 1 (highest) to 5.';
    const created = await insertProject(db, { name, parentId, domain: link, linkBoard: link, priority });
    if (!created) return `A project called "${name}" already exists.`;
    return `Added project #${created.id} ${created.name}${parentId !== null ? ` under ${projects.find((p) => p.id === parentId)?.name ?? ''}` : ''}${link ? `, progress from the ${link} board` : ''}.`;
  }
  const update = /^(.+?)\s+(status|progress|under|link|priority|reviewed)(?:\s+(.+))?$/i.exec(text);
  if (!update?.[1] || !update[2]) return `I could not read that.\n${PROJECT_USAGE}`;
  const project = findProject(projects, update[1]);
  if (!project) return `There is no project "${update[1].trim()}". /tree lists them.`;
  const field = update[2].toLowerCase();
  const value = (update[3] ?? '').trim();
  const patch: ProjectPatch = {};
  switch (field) {
    case 'status': {
      const status = STATUSES.find((candidate) => candidate === value.toLowerCase());
      if (!status) return `Status is one of ${STATUSES.join(', ')}.`;
      patch.status = status;
      break;
    }
    case 'progress': {
      const progress = Number(value.replace(/%$/, ''));
      if (!Number.isInteger(progress) || progress < 0 || progress > 100) return 'Progress is a whole number from 0 to 100.';
      if (project.linkBoard) return `${project.name} takes its progress from the ${project.linkBoard} board; unlink it first (/project ${project.name} link none).`;
      patch.progress = progress;
      break;
    }
    case 'under': {
      if (/^(top|none|root)$/i.test(value)) {
        patch.parentId = null;
        break;
      }
      const parent = findProject(projects, value);
      if (!parent) return `There is no project "${value}".`;
      if (wouldCycle(projects, project.id, parent.id)) return `${parent.name} is inside ${project.name}; that would make a loop.`;
      patch.parentId = parent.id;
      break;
    }
    case 'link': {
      if (/^(none|off)$/i.test(value)) {
        patch.linkBoard = null;
        break;
      }
      const link = await boardName(deps, value);
      if (!link) return `There is no board called "${value}".`;
      patch.linkBoard = link;
      patch.domain = link;
      break;
    }
    case 'priority': {
      const priority = Number(value);
      if (!Number.isInteger(priority) || priority < 1 || priority > 5) return 'Priority is a whole number from 1 (highest) to 5.';
      patch.priority = priority;
      break;
    }
    default:
      patch.lastReviewed = deps.now();
  }
  await updateProject(db, project.id, patch);
  return `Updated ${project.name}: ${field}${field === 'reviewed' ? '' : ` ${value}`}.`;
}

function findProject(projects: Project[], reference: string): Project | undefined {
  const text = reference.trim();
  const id = /^#(\d{1,9})$/.exec(text);
  if (id) return projects.find((project) => project.id === Number(id[1]));
  return projects.find((project) => project.name.toLowerCase() === text.toLowerCase());
}

async function boardName(deps: ProjectCommandDeps, name: string): Promise<string | undefined> {
  return findBoard(await deps.structure(), name)?.name;
}

/** Splits `Name under Parent link Board` into the head and each keyword's value. */
function splitKeywords(text: string, keywords: string[]): { head: string } & Record<string, string | undefined> {
  const pattern = new RegExp(`\\s+(${keywords.join('|')})\\s+`, 'gi');
  const result: { head: string } & Record<string, string | undefined> = { head: text };
  const matches = [...text.matchAll(pattern)];
  if (matches.length === 0) return result;
  result.head = text.slice(0, matches[0]?.index ?? text.length);
  matches.forEach((match, index) => {
    const start = (match.index ?? 0) + match[0].length;
    const end = matches[index + 1]?.index ?? text.length;
    result[(match[1] ?? '').toLowerCase()] = text.slice(start, end).trim();
  });
  return result;
}
