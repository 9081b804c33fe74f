import type { Logger } from '../log/index.js';
import { PlankaError, type PlankaClient, type PlankaList } from './planka/index.js';
import type { BoardSpec, BoardStructure } from './board-structure.js';

export interface ResolvedBoard {
  spec: BoardSpec;
  boardId: string;
  /** Every active/closed list of the board by lowercased name, the owner's extra lists included. */
  lists: Map<string, PlankaList>;
}

export interface BoardLayout {
  projectId: string;
  /** By lowercased board name. */
  boards: Map<string, ResolvedBoard>;
}

/**
 * Makes the Planka project and its boards match the structure, by name and never
 * twice: an existing project/board/list with the same name (any case) is adopted,
 * whoever made it; missing ones are added; extra lists are left alone. A done list
 * openzero creates is of type `closed`, so Planka marks cards moved there as closed;
 * an adopted done list keeps the type the owner gave it (done-ness is by name).
 */
export async function bootstrapBoards(client: PlankaClient, structure: BoardStructure, log: Logger): Promise<BoardLayout> {
  const projects = await client.listProjects();
  let found = projects.find((view) => view.project.name.trim().toLowerCase() === structure.project.toLowerCase());
  if (!found) {
    const project = await client.createProject({ name: structure.project, type: 'private' });
    log.info({ projectId: project.id }, 'created the planka project');
    found = { project, boards: [] };
  }
  const projectId = found.project.id;
  const boards = new Map<string, ResolvedBoard>();
  const existing = [...found.boards];
  for (const spec of structure.boards) {
    let board = existing.find((candidate) => candidate.name.trim().toLowerCase() === spec.name.toLowerCase());
    if (!board) {
      board = await client.createBoard(projectId, { name: spec.name });
      existing.push(board);
      log.info({ boardId: board.id }, 'created a planka board');
    }
    const view = await client.getBoard(board.id);
    const lists = new Map(view.lists.map((list) => [list.name.trim().toLowerCase(), list]));
    for (const name of spec.lists) {
      if (lists.has(name.toLowerCase())) continue;
      const list = await client.createList(board.id, { name, type: name === spec.doneList ? 'closed' : 'active' });
      lists.set(name.toLowerCase(), list);
      log.info({ boardId: board.id, listId: list.id }, 'added a missing planka list');
    }
    boards.set(spec.name.toLowerCase(), { spec, boardId: board.id, lists });
  }
  return { projectId, boards };
}

/** The layout, bootstrapped once per structure and again after Planka says a board or list is gone. */
export class PlankaBoards {
  readonly #client: PlankaClient;
  readonly #log: Logger;
  #cached: { key: string; layout: Promise<BoardLayout> } | undefined;

  constructor(client: PlankaClient, log: Logger) {
    this.#client = client;
    this.#log = log;
  }

  get client(): PlankaClient {
    return this.#client;
  }

  layout(structure: BoardStructure): Promise<BoardLayout> {
    const key = JSON.stringify(structure);
    if (this.#cached?.key !== key) {
      const layout = bootstrapBoards(this.#client, structure, this.#log);
      this.#cached = { key, layout };
      layout.catch(() => {
        if (this.#cached?.layout === layout) this.#cached = undefined;
      });
    }
    return this.#cached.layout;
  }

  /** Forgets the layout after a 404 on a board or list, so the next use bootstraps again. */
  invalidate(err: unknown): void {
    if (err instanceof PlankaError && err.kind === 'not-found') this.#cached = undefined;
  }

  /** Re-reads the lists of one board (after the owner added or renamed lists by hand). */
  async refreshLists(resolved: ResolvedBoard): Promise<void> {
    const view = await this.#client.getBoard(resolved.boardId);
    resolved.lists = new Map(view.lists.map((list) => [list.name.trim().toLowerCase(), list]));
  }
}
