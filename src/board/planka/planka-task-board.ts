import type { Logger } from '../../log/index.js';
import type { BoardStructure } from '../board-structure.js';
import { BoardError, type BoardCard, type BoardLayout, type BoardList, type ResolvedBoard, type TaskBoard } from '../task-board.js';
import { PlankaError } from './errors.js';
import type { PlankaCard } from './schemas.js';
import type { PlankaClient, UpdateCardPatch } from './types.js';

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
    const lists = new Map<string, BoardList>(view.lists.map((list) => [list.name.trim().toLowerCase(), toList(list)]));
    for (const name of spec.lists) {
      if (lists.has(name.toLowerCase())) continue;
      const list = await client.createList(board.id, { name, type: name === spec.doneList ? 'closed' : 'active' });
      lists.set(name.toLowerCase(), toList(list));
      log.info({ boardId: board.id, listId: list.id }, 'added a missing planka list');
    }
    boards.set(spec.name.toLowerCase(), { spec, boardId: board.id, lists });
  }
  return { projectId, boards };
}

export interface PlankaTaskBoardOptions {
  log: Logger;
  /** Planka's host, for the audit log. */
  destination: string;
  /** Which setting the owner should check when Planka rejects our credentials. */
  auth: 'api-key' | 'password';
}

/** The TaskBoard port on a Planka 2.x server. Translates every PlankaError into a BoardError. */
export class PlankaTaskBoard implements TaskBoard {
  readonly destination: string;
  readonly #client: PlankaClient;
  readonly #options: PlankaTaskBoardOptions;
  #cached: { key: string; layout: Promise<BoardLayout> } | undefined;

  constructor(client: PlankaClient, options: PlankaTaskBoardOptions) {
    this.#client = client;
    this.#options = options;
    this.destination = options.destination;
  }

  layout(structure: BoardStructure): Promise<BoardLayout> {
    const key = JSON.stringify(structure);
    if (this.#cached?.key !== key) {
      const layout = this.#call(() => bootstrapBoards(this.#client, structure, this.#options.log));
      this.#cached = { key, layout };
      layout.catch(() => {
        if (this.#cached?.layout === layout) this.#cached = undefined;
      });
    }
    return this.#cached.layout;
  }

  forgetLayout(): void {
    this.#cached = undefined;
  }

  readBoard(boardId: string) {
    return this.#call(async () => {
      const view = await this.#client.getBoard(boardId);
      return { lists: view.lists.map(toList), cards: view.cards.map(toCard) };
    });
  }

  getCard(cardId: string) {
    return this.#call(async () => toCard(await this.#client.getCard(cardId)));
  }

  createCard(listId: string, card: { title: string; description: string | null; dueAt: Date | null }) {
    return this.#call(async () =>
      toCard(
        await this.#client.createCard(listId, {
          name: card.title,
          ...(card.description !== null && card.description !== '' ? { description: card.description } : {}),
          ...(card.dueAt ? { dueDate: card.dueAt.toISOString() } : {}),
        }),
      ),
    );
  }

  updateCard(cardId: string, patch: { title?: string; description?: string | null; dueAt?: Date | null }) {
    const body: UpdateCardPatch = {
      ...(patch.title !== undefined ? { name: patch.title } : {}),
      // Planka rejects an empty description; null clears it.
      ...(patch.description !== undefined ? { description: patch.description === '' ? null : patch.description } : {}),
      ...(patch.dueAt !== undefined ? { dueDate: patch.dueAt === null ? null : patch.dueAt.toISOString() } : {}),
    };
    return this.#call(async () => toCard(await this.#client.updateCard(cardId, body)));
  }

  moveCard(cardId: string, to: { listId: string; boardId?: string }) {
    return this.#call(async () => toCard(await this.#client.moveCard(cardId, to)));
  }

  deleteCard(cardId: string) {
    return this.#call(() => this.#client.deleteCard(cardId));
  }

  async probe() {
    const probe = await this.#client.probe();
    if (probe.ok) return probe;
    const error = this.#translate(new PlankaError(probe.message, { kind: probe.kind, operation: 'probe' }));
    return { ok: false as const, problem: error.problem, message: error.message, ...(error.fix ? { fix: error.fix } : {}) };
  }

  async #call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      const error = this.#translate(err);
      if (error.problem === 'gone') this.forgetLayout();
      throw error;
    }
  }

  #translate(err: unknown): BoardError {
    if (err instanceof BoardError) return err;
    if (!(err instanceof PlankaError)) return new BoardError(err instanceof Error ? err.message : String(err), 'unreachable', undefined, { cause: err });
    if (err.retryable) return new BoardError(err.message, 'unreachable', undefined, { cause: err });
    switch (err.kind) {
      case 'unauthorized':
        return this.#options.auth === 'password'
          ? new BoardError('Planka rejected the username or password', 'credentials', 'check PLANKA_USERNAME and PLANKA_PASSWORD', { cause: err })
          : new BoardError('Planka rejected the API key', 'credentials', 'check PLANKA_API_KEY', { cause: err });
      case 'forbidden':
        return new BoardError('Planka does not let this user do that', 'role', 'make this Planka user an editor of the board, or give it the Project Owner or Admin role in Settings → Users', { cause: err });
      case 'not-found':
        // Planka answers 404, not 403, when a Board User (its default role) tries to create a project.
        if (err.operation === 'createProject') {
          return new BoardError('this Planka user may not create projects', 'role', 'this Planka user needs the Project Owner or Admin role: give it one in Settings → Users', { cause: err });
        }
        return new BoardError(err.message, 'gone', undefined, { cause: err });
      default:
        return new BoardError(`Planka refused it (${err.kind}${err.code ? ` ${err.code}` : ''})`, 'refused', undefined, { cause: err });
    }
  }
}

function toList(list: { id: string; name: string }): BoardList {
  return { id: list.id, name: list.name };
}

function toCard(card: PlankaCard): BoardCard {
  return {
    id: card.id,
    boardId: card.boardId,
    listId: card.listId,
    title: card.name,
    description: card.description,
    dueAt: card.dueDate === null ? null : new Date(card.dueDate),
    closed: card.isClosed,
  };
}
