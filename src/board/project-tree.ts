import type { Project } from './projects-repo.js';

export interface BoardCount {
  done: number;
  total: number;
}

/** Progress in percent: derived from done/total tasks when the project is linked to a board, else as set. */
export function projectProgress(project: Project, counts: Map<string, BoardCount>): { percent: number; cards?: BoardCount } {
  if (project.linkBoard === null) return { percent: project.progress };
  const cards = counts.get(project.linkBoard.toLowerCase()) ?? { done: 0, total: 0 };
  return { percent: cards.total === 0 ? 0 : Math.round((cards.done / cards.total) * 100), cards };
}

/**
 * The project hierarchy as indented plain-text lines, e.g.
 * `[ACTIVE] Career [40%] · 2/5 cards` with children indented under their parent,
 * ordered by priority then name. Archived projects (and their subtrees) only with `all`.
 */
export function renderTree(projects: Project[], counts: Map<string, BoardCount>, options: { all?: boolean } = {}): string[] {
  const visible = projects.filter((project) => options.all || project.status !== 'archived');
  const ids = new Set(visible.map((project) => project.id));
  const children = new Map<number | null, Project[]>();
  for (const project of visible) {
    const parent = project.parentId !== null && ids.has(project.parentId) ? project.parentId : null;
    if (project.parentId !== null && !ids.has(project.parentId) && !options.all) {
      // The parent is archived and hidden: so is this subtree.
      if (projects.some((p) => p.id === project.parentId)) continue;
    }
    const siblings = children.get(parent) ?? [];
    siblings.push(project);
    children.set(parent, siblings);
  }
  const lines: string[] = [];
  const seen = new Set<number>();
  const walk = (parent: number | null, depth: number): void => {
    const list = [...(children.get(parent) ?? [])].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
    for (const project of list) {
      if (seen.has(project.id)) continue;
      seen.add(project.id);
      const { percent, cards } = projectProgress(project, counts);
      const indent = depth === 0 ? '' : `${'    '.repeat(depth - 1)}  └ `;
      const linked = cards ? ` · ${cards.done}/${cards.total} cards on ${project.linkBoard ?? ''}` : '';
      lines.push(`${indent}[${project.status.toUpperCase()}] ${project.name} [${percent}%]${linked}`);
      walk(project.id, depth + 1);
    }
  };
  walk(null, 0);
  return lines;
}

/** True when making `parentId` the parent of `projectId` would create a loop. */
export function wouldCycle(projects: Project[], projectId: number, parentId: number): boolean {
  const byId = new Map(projects.map((project) => [project.id, project]));
  let current: number | null = parentId;
  for (let guard = 0; current !== null && guard <= projects.length; guard += 1) {
    if (current === projectId) return true;
    current = byId.get(current)?.parentId ?? null;
  }
  return false;
}
