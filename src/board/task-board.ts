import type { BoardSpec, BoardStructure } from './board-structure.js';

// The board port: what task-service, board-sync, apply-op and the card write worker need
// from a kanban board. The Planka adapter (src/board/planka/planka-task-board.ts) is the
// only implementation; nothing outside it sees Planka's wire types or errors.

/** An active or closed list (archive and trash lists are not lists here). */
export interface BoardList {
  id: string;
  name: string;
}

/** A card as the board has it now. */
export interface BoardCard {
  id: string;
  boardId: string;
  listId: string;
  title: string;
  description: string | null;
  dueAt: Date | null;
  /** The board marks it closed (e.g. it sits in a closed list). */
  closed: boolean;
}

export interface BoardSnapshot {
  lists: BoardList[];
  cards: BoardCard[];
}

export interface ResolvedBoard {
  spec: BoardSpec;
  boardId: string;
  /** Every list of the board by lowercased name, the owner's extra lists included. */
  lists: Map<string, BoardList>;
}

export interface BoardLayout {
  projectId: string;
  /** By lowercased board name. */
  boards: Map<string, ResolvedBoard>;
}

export interface NewCard {
  title: string;
  description: string | null;
  dueAt: Date | null;
}

/** Only the fields present are sent; `null` clears a description or due date. */
export type CardPatch = Partial<NewCard>;

/**
 * Why a board call failed, sorted by what to do about it:
 * - `unreachable`: network, timeout, 5xx, 429: transient, retry with backoff.
 * - `credentials`: the board rejects our login or key: permanent until the owner fixes a setting.
 * - `role`: the board user may not do this (e.g. create a project): permanent until the owner changes the user's role.
 * - `gone`: the card, list or board no longer exists.
 * - `refused`: the board refused this one write (bad input, conflict).
 */
export type BoardProblem = 'unreachable' | 'credentials' | 'role' | 'gone' | 'refused';

export class BoardError extends Error {
  override readonly name = 'BoardError';
  constructor(
    message: string,
    readonly problem: BoardProblem,
    /** What the owner can do about it, for `credentials` and `role`. */
    readonly fix?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  /** Worth retrying as is (with backoff). */
  get transient(): boolean {
    return this.problem === 'unreachable';
  }

  /** Every write will fail the same way until the owner changes the account or its settings. */
  get blocksAll(): boolean {
    return this.problem === 'credentials' || this.problem === 'role';
  }
}

export function isBoardError(err: unknown): err is BoardError {
  return err instanceof BoardError;
}

export type BoardProbe = { ok: true; projects: number } | { ok: false; problem: BoardProblem; message: string; fix?: string };

/** A kanban board holding the owner's tasks. Every method throws BoardError on failure, except `probe`. */
export interface TaskBoard {
  /** Where writes go (the host), for the audit log. */
  readonly destination: string;
  /** The project, boards and lists matching the structure, made once (and again after `forgetLayout`). */
  layout(structure: BoardStructure): Promise<BoardLayout>;
  /** Forgets the layout, so the next `layout` call checks the board again (after a `gone`). */
  forgetLayout(): void;
  readBoard(boardId: string): Promise<BoardSnapshot>;
  getCard(cardId: string): Promise<BoardCard>;
  createCard(listId: string, card: NewCard): Promise<BoardCard>;
  updateCard(cardId: string, patch: CardPatch): Promise<BoardCard>;
  /** Appends the card to the list (and board, within the same project). */
  moveCard(cardId: string, to: { listId: string; boardId?: string }): Promise<BoardCard>;
  deleteCard(cardId: string): Promise<void>;
  /** Reachability and credentials for /status. Never throws. */
  probe(): Promise<BoardProbe>;
}
