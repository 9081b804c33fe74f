import type { PlankaAuth } from './auth.js';
import type { PlankaErrorKind } from './errors.js';
import type { FetchLike } from './http.js';
import type { Logger } from '../../log/index.js';
import type { PlankaBoard, PlankaCard, PlankaLabel, PlankaProject, PlankaUser } from './schemas.js';

export type PlankaProjectType = 'private' | 'shared';
export type PlankaListType = 'active' | 'closed';
export type PlankaCardType = 'project' | 'story';

export interface PlankaClientOptions {
  /** e.g. `http://planka:1337` (no `/api`). */
  baseUrl: string;
  auth: PlankaAuth;
  /** Per request, including reading the body. */
  timeoutMs: number;
  log: Logger;
  /** Injected for tests; the global `fetch` otherwise. */
  fetch?: FetchLike;
}

/** An active or closed list; archive and trash lists are never returned as lists. */
export interface PlankaList {
  id: string;
  boardId: string;
  type: PlankaListType;
  name: string;
  position: number;
}

export interface PlankaCardWithLabels extends PlankaCard {
  labelIds: string[];
}

export interface PlankaBoardView {
  board: PlankaBoard;
  /** Active and closed lists, sorted by position. */
  lists: PlankaList[];
  /** Cards in those lists, sorted by list order then position. */
  cards: PlankaCardWithLabels[];
  labels: PlankaLabel[];
  archiveListId: string | null;
  trashListId: string | null;
}

export interface PlankaProjectView {
  project: PlankaProject;
  boards: PlankaBoard[];
}

export interface CreateCardInput {
  name: string;
  description?: string;
  /** Strict ISO-8601; Planka answers it in UTC. */
  dueDate?: string;
  type?: PlankaCardType;
  /** Appended after the list's last card when omitted. */
  position?: number;
}

export interface UpdateCardPatch {
  name?: string;
  /** `null` clears it (Planka rejects an empty string). */
  description?: string | null;
  dueDate?: string | null;
  listId?: string;
  boardId?: string;
  position?: number | null;
}

export interface MoveCardInput {
  listId: string;
  /** Appended after the target list's last card when omitted. */
  position?: number;
  /** Only to move to another board of the same project. */
  boardId?: string;
}

export type PlankaProbe =
  | { ok: true; projects: number }
  | { ok: false; kind: PlankaErrorKind; message: string };

/**
 * Planka 2.x REST client. Every method throws `PlankaError` on failure (see its `kind`
 * and `retryable`) except `probe`, which never throws. Writes may make Planka renumber
 * sibling positions silently: re-read the board when the order of others matters.
 */
export interface PlankaClient {
  listProjects(): Promise<PlankaProjectView[]>;
  createProject(input: { name: string; type: PlankaProjectType; description?: string }): Promise<PlankaProject>;
  getProject(projectId: string): Promise<PlankaProjectView>;
  /** `position` defaults to after the project's last board. */
  createBoard(projectId: string, input: { name: string; position?: number }): Promise<PlankaBoard>;
  getBoard(boardId: string): Promise<PlankaBoardView>;
  /** `type` defaults to `active`; `position` to after the board's last list. */
  createList(boardId: string, input: { name: string; type?: PlankaListType; position?: number }): Promise<PlankaList>;
  /** `type` defaults to `project`. */
  createCard(listId: string, input: CreateCardInput): Promise<PlankaCard>;
  getCard(cardId: string): Promise<PlankaCardWithLabels>;
  /** Sends the patch as is; moving into an active/closed list needs `position` (or use `moveCard`). */
  updateCard(cardId: string, patch: UpdateCardPatch): Promise<PlankaCard>;
  /** Moves a card, appending it when no position is given; a closed list closes the card. */
  moveCard(cardId: string, input: MoveCardInput): Promise<PlankaCard>;
  deleteCard(cardId: string): Promise<void>;
  createLabel(boardId: string, input: { name: string; color: string; position?: number }): Promise<PlankaLabel>;
  /** `already-present` when Planka answers 409 (label already on the card). */
  addCardLabel(cardId: string, labelId: string): Promise<'added' | 'already-present'>;
  removeCardLabel(cardId: string, labelId: string): Promise<void>;
  /** The signed-in user, with the role that decides whether it may create projects. */
  currentUser(): Promise<PlankaUser>;
  /** Checks reachability and credentials for /status. Never throws. */
  probe(): Promise<PlankaProbe>;
}
