// A fake Planka 2.x REST server for tests: real node:http on 127.0.0.1, real wire shapes.
// Shapes and rules follow Planka's server (github.com/plankanban/planka, server/api/**):
// responses/{unauthorized,forbidden,notFound,conflict,unprocessableEntity}.js for error bodies,
// access-tokens/{create,accept-terms}.js + helpers/access-tokens/handle-steps.js + hooks/terms
// for the first-login terms step, {projects,boards,lists,cards,labels,card-labels}/*.js for the
// rest. It implements only what openzero's client uses; anything else is a loud 404, recorded.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Planka 2's user roles (User.Roles). The first user is Planka's default admin (DEFAULT_ADMIN_*),
 * so it is `admin`; users added after it get `boardUser`, the role Planka's "add user" form and
 * its OIDC sign-up default to, and a Board User may not create projects: the can-create-projects
 * policy answers 404 with no message. The built-in `api` user is the default admin's key.
 */
export type FakeRole = 'admin' | 'projectOwner' | 'personalProjectOwner' | 'boardUser';

export interface FakePlankaUser {
  username: string;
  password: string;
  role?: FakeRole;
  /** False (the default) makes the first login answer 403 `accept-terms`, like a fresh Planka user. */
  termsAccepted?: boolean;
  email?: string;
}

export interface FakePlankaOptions {
  /** Accepted in `X-Api-Key`; it authenticates as the first user (or a built-in `api` user). */
  apiKey?: string;
  users?: FakePlankaUser[];
  /** Role of the built-in `api` user (when there are no `users`). */
  apiKeyRole?: FakeRole;
  /**
   * Planka's SHOW_DETAILED_AUTH_ERRORS: a wrong password answers 401 "Invalid password"
   * instead of "Invalid credentials" (either way Planka logs "Invalid password!").
   */
  detailedAuthErrors?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  authorization: string | undefined;
  apiKey: string | undefined;
  body: unknown;
  status: number;
  /** True when no route matched: the test hit something the fake does not know. */
  unexpected: boolean;
}

export interface FakeUser {
  id: string;
  email: string;
  username: string;
  password: string;
  termsAccepted: boolean;
  role: FakeRole;
}
export interface FakeProject {
  id: string;
  name: string;
  description: string | null;
  ownerProjectManagerId: string | null;
  managerUserIds: Set<string>;
  createdAt: string;
}
export interface FakeBoard {
  id: string;
  projectId: string;
  name: string;
  position: number;
  memberUserIds: Set<string>;
  createdAt: string;
}
export interface FakeList {
  id: string;
  boardId: string;
  type: 'active' | 'closed' | 'archive' | 'trash';
  position: number | null;
  name: string | null;
  createdAt: string;
}
export interface FakeCard {
  id: string;
  boardId: string;
  listId: string;
  prevListId: string | null;
  creatorUserId: string;
  type: 'project' | 'story';
  position: number | null;
  name: string;
  description: string | null;
  dueDate: string | null;
  isDueCompleted: boolean | null;
  isClosed: boolean;
  listChangedAt: string;
  createdAt: string;
  updatedAt: string | null;
}
export interface FakeLabel {
  id: string;
  boardId: string;
  name: string | null;
  color: string;
  position: number;
}
export interface FakeCardLabel {
  id: string;
  cardId: string;
  labelId: string;
}

export interface FakePlankaState {
  users: Map<string, FakeUser>;
  projects: Map<string, FakeProject>;
  boards: Map<string, FakeBoard>;
  lists: Map<string, FakeList>;
  cards: Map<string, FakeCard>;
  labels: Map<string, FakeLabel>;
  cardLabels: Map<string, FakeCardLabel>;
}

export interface FakePlanka {
  url: string;
  requests: RecordedRequest[];
  /** Requests no route matched. */
  unexpected(): RecordedRequest[];
  state: FakePlankaState;
  /** The signature Planka expects in accept-terms (sha256 of the terms text). */
  termsSignature: string;
  /** Revokes every issued access token: the next request with one gets 401. */
  expireTokens(): void;
  /** `refused`: stop listening; `reset`: accept and drop connections. */
  down(mode?: 'refused' | 'reset'): Promise<void>;
  up(): Promise<void>;
  /** The next `count` requests answer `status` with Planka's error body for it. */
  failNext(count: number, status: number): void;
  /**
   * The owner edits a card in Planka's app, behind openzero's back (no request is recorded).
   * `dueDate` is ISO-8601 and stored in UTC, as Planka does.
   */
  editCard(cardId: string, changes: { name?: string; description?: string | null; dueDate?: string | null }): FakeCard;
  close(): Promise<void>;
}

const TERMS_TEXT = '# Terms of use\n\nFake Planka terms for openzero tests.\n';
const REPOSITION_GAP = 2 ** 14;
const MIN_GAP = 0.125;
const LABEL_COLORS = ['berry-red', 'pumpkin-orange', 'lagoon-blue', 'pink-tulip', 'light-mud', 'orange-peel', 'bright-moss', 'antique-blue', 'dark-granite', 'lagune-blue', 'sunny-grass', 'morning-sky'];

type Json = Record<string, unknown>;

class HttpFailure {
  constructor(
    readonly status: number,
    readonly body: Json,
  ) {}
}

function fail(status: number, message: string, extra: Json = {}): HttpFailure {
  return new HttpFailure(status, { code: codeForStatus(status), message, ...extra });
}

function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return 'E_MISSING_OR_INVALID_PARAMS';
    case 401:
      return 'E_UNAUTHORIZED';
    case 403:
      return 'E_FORBIDDEN';
    case 404:
      return 'E_NOT_FOUND';
    case 409:
      return 'E_CONFLICT';
    case 422:
      return 'E_UNPROCESSABLE_ENTITY';
    default:
      return status >= 500 ? 'E_SERVER_ERROR' : 'E_FAKE_STATUS';
  }
}

interface Ctx {
  method: string;
  path: string;
  query: Record<string, string>;
  body: Json;
  user: FakeUser | undefined;
}

interface Route {
  method: string;
  pattern: RegExp;
  auth: boolean;
  handle(ctx: Ctx, params: string[]): Json;
}

export async function startFakePlanka(options: FakePlankaOptions = {}): Promise<FakePlanka> {
  let nextId = 1357158568008091264n; // > 2^53: a client that turns ids into numbers breaks
  const newId = (): string => String(nextId++);
  const now = (): string => new Date().toISOString();

  const state: FakePlankaState = {
    users: new Map(),
    projects: new Map(),
    boards: new Map(),
    lists: new Map(),
    cards: new Map(),
    labels: new Map(),
    cardLabels: new Map(),
  };
  const createdAt = new Map<string, string>();
  for (const [index, u] of (options.users ?? []).entries()) {
    const id = newId();
    const role = u.role ?? (index === 0 ? 'admin' : 'boardUser');
    state.users.set(id, { id, email: u.email ?? `${u.username}@example.org`, username: u.username, password: u.password, termsAccepted: u.termsAccepted ?? false, role });
    createdAt.set(id, now());
  }
  let apiKeyUser: FakeUser | undefined = [...state.users.values()][0];
  if (options.apiKey !== undefined && !apiKeyUser) {
    const id = newId();
    apiKeyUser = { id, email: 'api@example.org', username: 'api', password: randomBytes(8).toString('hex'), termsAccepted: true, role: options.apiKeyRole ?? 'admin' };
    state.users.set(id, apiKeyUser);
    createdAt.set(id, now());
  }
  const defaultAdminId = [...state.users.keys()][0];

  const termsSignature = createHash('sha256').update(TERMS_TEXT).digest('hex');
  const accessTokens = new Map<string, string>(); // token → user id
  const pendingTokens = new Map<string, string>(); // pending token → user id
  const requests: RecordedRequest[] = [];
  let failures: { remaining: number; status: number } = { remaining: 0, status: 500 };

  const findUser = (username: string): FakeUser | undefined =>
    [...state.users.values()].find((u) => u.username === username);

  const issueToken = (user: FakeUser): string => {
    const token = `eyJ.${randomBytes(24).toString('base64url')}`;
    accessTokens.set(token, user.id);
    return token;
  };

  // --- presenters: the fields Planka sends (subset large enough to be realistic) ---
  /** helpers/users/present-one.js: no password; the signed-in user also gets isDefaultAdmin and lockedFieldNames. */
  const presentUser = (u: FakeUser, forCurrentUser: boolean): Json => {
    const isDefaultAdmin = u.id === defaultAdminId;
    return {
      id: u.id,
      email: u.email,
      role: u.role,
      name: u.username,
      username: u.username,
      avatar: null,
      phone: null,
      organization: null,
      language: null,
      subscribeToOwnCards: false,
      subscribeToCardWhenCommenting: true,
      turnOffRecentCardHighlighting: false,
      enableFavoritesByDefault: false,
      defaultEditorMode: 'wysiwyg',
      defaultHomeView: 'groupedProjects',
      defaultProjectsOrder: 'byDefault',
      isSsoUser: false,
      isDeactivated: false,
      createdAt: createdAt.get(u.id) ?? null,
      updatedAt: null,
      ...(forCurrentUser ? { isDefaultAdmin, lockedFieldNames: isDefaultAdmin ? ['email', 'password', 'name', 'role', 'username'] : [] } : {}),
    };
  };
  const presentProject = (p: FakeProject): Json => ({
    id: p.id,
    ownerProjectManagerId: p.ownerProjectManagerId,
    backgroundImageId: null,
    name: p.name,
    description: p.description,
    backgroundType: null,
    backgroundGradient: null,
    isHidden: false,
    createdAt: p.createdAt,
    updatedAt: null,
  });
  const presentBoard = (b: FakeBoard): Json => ({
    id: b.id,
    projectId: b.projectId,
    position: b.position,
    name: b.name,
    defaultView: 'kanban',
    defaultCardType: 'project',
    limitCardTypesToDefaultOne: false,
    alwaysDisplayCardCreator: false,
    expandTaskListsByDefault: false,
    createdAt: b.createdAt,
    updatedAt: null,
  });
  const presentList = (l: FakeList): Json => ({ ...l, color: null, updatedAt: null });
  const presentCard = (c: FakeCard): Json => ({
    ...c,
    coverAttachmentId: null,
    startDate: null,
    stopwatch: null,
    commentsTotal: 0,
  });
  const presentMembership = (boardId: string, userId: string): Json => ({
    id: `${boardId}${userId}`.slice(0, 19),
    projectId: state.boards.get(boardId)?.projectId,
    boardId,
    userId,
    role: 'editor',
    canComment: null,
  });

  // --- access rules: not a member → 404, as Planka hides what you cannot see ---
  const canSeeBoard = (user: FakeUser, board: FakeBoard): boolean =>
    board.memberUserIds.has(user.id) || (state.projects.get(board.projectId)?.managerUserIds.has(user.id) ?? false);

  const boardFor = (user: FakeUser, boardId: string, what = 'Board'): FakeBoard => {
    const board = state.boards.get(boardId);
    if (!board || !canSeeBoard(user, board)) throw fail(404, `${what} not found`);
    return board;
  };
  const listFor = (user: FakeUser, listId: string): FakeList => {
    const list = state.lists.get(listId);
    if (!list) throw fail(404, 'List not found');
    boardFor(user, list.boardId, 'List');
    return list;
  };
  const cardFor = (user: FakeUser, cardId: string): FakeCard => {
    const card = state.cards.get(cardId);
    if (!card) throw fail(404, 'Card not found');
    boardFor(user, card.boardId, 'Card');
    return card;
  };
  const isFinite = (list: FakeList): boolean => list.type === 'active' || list.type === 'closed';

  /** Places `position` among siblings; when it collides, renumbers the list like Planka does. */
  const placeCard = (listId: string, position: number, exceptCardId?: string): number => {
    const siblings = [...state.cards.values()]
      .filter((c) => c.listId === listId && c.id !== exceptCardId && c.position !== null)
      .sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
    const collides = siblings.some((c) => Math.abs((c.position ?? 0) - position) < MIN_GAP);
    if (!collides) return position;
    const before = siblings.filter((c) => (c.position ?? 0) < position);
    const after = siblings.filter((c) => (c.position ?? 0) >= position);
    before.forEach((c, i) => (c.position = REPOSITION_GAP * (i + 1)));
    after.forEach((c, i) => (c.position = REPOSITION_GAP * (before.length + i + 2)));
    return REPOSITION_GAP * (before.length + 1);
  };

  const routes: Route[] = [
    {
      method: 'POST',
      pattern: /^\/api\/access-tokens$/,
      auth: false,
      handle: (ctx) => {
        const input = validate(ctx, { emailOrUsername: 'string!', password: 'string!' });
        const user = findUser(String(input.emailOrUsername));
        if (!user) throw fail(401, options.detailedAuthErrors ? 'Invalid email or username' : 'Invalid credentials');
        if (user.password !== input.password) throw fail(401, options.detailedAuthErrors ? 'Invalid password' : 'Invalid credentials');
        if (!user.termsAccepted) {
          const pendingToken = `eyJ.pending.${randomBytes(16).toString('base64url')}`;
          pendingTokens.set(pendingToken, user.id);
          throw new HttpFailure(403, {
            code: 'E_FORBIDDEN',
            pendingToken,
            termsType: 'general',
            message: 'Terms acceptance required',
            step: 'accept-terms',
          });
        }
        return { item: issueToken(user) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/terms$/,
      auth: false,
      handle: (ctx) => {
        const type = ctx.query.type;
        if (type !== 'general' && type !== 'extended') {
          throw invalidParams(ctx, [type === undefined ? '"type" is required, but it was not defined.' : `Invalid "type"`]);
        }
        return { item: { type, language: 'en-US', content: TERMS_TEXT, signature: termsSignature } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/access-tokens\/accept-terms$/,
      auth: false,
      handle: (ctx) => {
        const input = validate(ctx, { pendingToken: 'string!', signature: 'string!' });
        const signature = String(input.signature);
        if (signature.length !== 64) throw invalidParams(ctx, ['Invalid "signature"']);
        const userId = pendingTokens.get(String(input.pendingToken));
        const user = userId === undefined ? undefined : state.users.get(userId);
        if (!user) throw fail(401, 'Invalid pending token');
        if (signature !== termsSignature) throw fail(403, 'Invalid signature');
        pendingTokens.delete(String(input.pendingToken));
        user.termsAccepted = true;
        return { item: issueToken(user) };
      },
    },
    {
      // users/show.js: `me` (or one's own id) is the signed-in user; another user only for admins and project owners.
      method: 'GET',
      pattern: /^\/api\/users\/([^/]+)$/,
      auth: true,
      handle: (ctx, [userId]) => {
        const user = need(ctx.user);
        if (userId === 'me' || userId === user.id) return { item: presentUser(user, true), included: { notificationServices: [] } };
        if (user.role !== 'admin' && user.role !== 'projectOwner') throw fail(404, 'User not found');
        const other = userId === undefined ? undefined : state.users.get(userId);
        if (!other) throw fail(404, 'User not found');
        return { item: presentUser(other, false), included: { notificationServices: [] } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/projects$/,
      auth: true,
      handle: (ctx) => {
        const user = need(ctx.user);
        const boards = [...state.boards.values()].filter((b) => canSeeBoard(user, b));
        const projectIds = new Set(boards.map((b) => b.projectId));
        for (const p of state.projects.values()) if (p.managerUserIds.has(user.id)) projectIds.add(p.id);
        const projects = [...projectIds].flatMap((id) => {
          const p = state.projects.get(id);
          return p ? [p] : [];
        });
        return {
          items: projects.map(presentProject),
          included: {
            users: [],
            projectManagers: projects.flatMap((p) => [...p.managerUserIds].map((userId) => ({ id: newId(), projectId: p.id, userId }))),
            boards: boards.map(presentBoard),
            boardMemberships: boards.filter((b) => b.memberUserIds.has(user.id)).map((b) => presentMembership(b.id, user.id)),
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/projects$/,
      auth: true,
      handle: (ctx) => {
        const user = need(ctx.user);
        // policies/can-create-projects.js: `res.notFound()` (no message) unless admin or (personal) project owner.
        if (user.role === 'boardUser') throw new HttpFailure(404, { code: 'E_NOT_FOUND' });
        const input = validate(ctx, { type: ['private', 'shared'], name: 'string!', description: 'text?' });
        const project: FakeProject = {
          id: newId(),
          name: String(input.name),
          description: typeof input.description === 'string' ? input.description : null,
          ownerProjectManagerId: null,
          managerUserIds: new Set([user.id]),
          createdAt: now(),
        };
        const managerId = newId();
        if (input.type === 'private') project.ownerProjectManagerId = managerId;
        state.projects.set(project.id, project);
        return {
          item: presentProject(project),
          included: { projectManagers: [{ id: managerId, projectId: project.id, userId: user.id }] },
        };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/projects\/([^/]+)$/,
      auth: true,
      handle: (ctx, [projectId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'id', projectId);
        const project = state.projects.get(projectId);
        if (!project) throw fail(404, 'Project not found');
        const all = [...state.boards.values()].filter((b) => b.projectId === project.id);
        const boards = project.managerUserIds.has(user.id) ? all : all.filter((b) => b.memberUserIds.has(user.id));
        if (boards.length === 0 && !project.managerUserIds.has(user.id)) throw fail(404, 'Project not found');
        return {
          item: { ...presentProject(project), isFavorite: false },
          included: {
            users: [],
            projectManagers: [],
            backgroundImages: [],
            baseCustomFieldGroups: [],
            boards: boards.map(presentBoard),
            boardMemberships: boards.filter((b) => b.memberUserIds.has(user.id)).map((b) => presentMembership(b.id, user.id)),
            customFields: [],
            notificationServices: [],
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/projects\/([^/]+)\/boards$/,
      auth: true,
      handle: (ctx, [projectId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'projectId', projectId);
        const input = validate(ctx, { position: 'position!', name: 'string!' });
        const project = state.projects.get(projectId);
        if (!project || !project.managerUserIds.has(user.id)) throw fail(404, 'Project not found');
        const board: FakeBoard = {
          id: newId(),
          projectId,
          name: String(input.name),
          position: Number(input.position),
          memberUserIds: new Set([user.id]),
          createdAt: now(),
        };
        state.boards.set(board.id, board);
        for (const type of ['archive', 'trash'] as const) {
          const list: FakeList = { id: newId(), boardId: board.id, type, position: null, name: null, createdAt: now() };
          state.lists.set(list.id, list);
        }
        return { item: presentBoard(board), included: { boardMemberships: [presentMembership(board.id, user.id)] } };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/boards\/([^/]+)$/,
      auth: true,
      handle: (ctx, [boardId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'id', boardId);
        const board = boardFor(user, boardId);
        const lists = [...state.lists.values()].filter((l) => l.boardId === board.id);
        const finiteIds = new Set(lists.filter(isFinite).map((l) => l.id));
        const cards = [...state.cards.values()].filter((c) => finiteIds.has(c.listId));
        const cardIds = new Set(cards.map((c) => c.id));
        return {
          item: presentBoard(board),
          included: {
            users: [],
            boardMemberships: [...board.memberUserIds].map((userId) => presentMembership(board.id, userId)),
            labels: [...state.labels.values()].filter((l) => l.boardId === board.id),
            lists: lists.map(presentList),
            cards: cards.map((c) => ({ ...presentCard(c), isSubscribed: false })),
            cardMemberships: [],
            cardLabels: [...state.cardLabels.values()].filter((cl) => cardIds.has(cl.cardId)),
            taskLists: [],
            tasks: [],
            attachments: [],
            customFieldGroups: [],
            customFields: [],
            customFieldValues: [],
            projects: [presentProject(need(state.projects.get(board.projectId)))],
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/boards\/([^/]+)\/lists$/,
      auth: true,
      handle: (ctx, [boardId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'boardId', boardId);
        const input = validate(ctx, { type: ['active', 'closed'], position: 'position!', name: 'string!' });
        const board = boardFor(user, boardId);
        const list: FakeList = {
          id: newId(),
          boardId: board.id,
          type: input.type === 'closed' ? 'closed' : 'active',
          position: Number(input.position),
          name: String(input.name),
          createdAt: now(),
        };
        state.lists.set(list.id, list);
        return { item: presentList(list) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/lists\/([^/]+)$/,
      auth: true,
      handle: (ctx, [listId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'id', listId);
        const list = listFor(user, listId);
        if (!isFinite(list)) throw fail(404, 'List not found');
        const cards = [...state.cards.values()].filter((c) => c.listId === list.id);
        const cardIds = new Set(cards.map((c) => c.id));
        return {
          item: presentList(list),
          included: {
            users: [],
            cards: cards.map((c) => ({ ...presentCard(c), isSubscribed: false })),
            cardMemberships: [],
            cardLabels: [...state.cardLabels.values()].filter((cl) => cardIds.has(cl.cardId)),
            taskLists: [],
            tasks: [],
            attachments: [],
            customFieldGroups: [],
            customFields: [],
            customFieldValues: [],
          },
        };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/lists\/([^/]+)\/cards$/,
      auth: true,
      handle: (ctx, [listId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'listId', listId);
        const input = validate(ctx, {
          type: ['project', 'story'],
          position: 'position?',
          name: 'string!',
          description: 'text?',
          dueDate: 'date?',
        });
        const list = listFor(user, listId);
        let position: number | null = null;
        if (isFinite(list)) {
          if (input.position === undefined || input.position === null) throw fail(422, 'Position must be present');
          position = placeCard(list.id, Number(input.position));
        }
        const card: FakeCard = {
          id: newId(),
          boardId: list.boardId,
          listId: list.id,
          prevListId: null,
          creatorUserId: user.id,
          type: input.type === 'story' ? 'story' : 'project',
          position,
          name: String(input.name),
          description: typeof input.description === 'string' ? input.description : null,
          dueDate: typeof input.dueDate === 'string' ? toUtc(input.dueDate) : null,
          isDueCompleted: typeof input.dueDate === 'string' ? false : null,
          isClosed: list.type === 'closed',
          listChangedAt: now(),
          createdAt: now(),
          updatedAt: null,
        };
        state.cards.set(card.id, card);
        return { item: presentCard(card) };
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/cards\/([^/]+)$/,
      auth: true,
      handle: (ctx, [cardId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'id', cardId);
        const card = cardFor(user, cardId);
        return {
          item: { ...presentCard(card), isSubscribed: false },
          included: {
            users: [],
            cardMemberships: [],
            cardLabels: [...state.cardLabels.values()].filter((cl) => cl.cardId === card.id),
            taskLists: [],
            tasks: [],
            attachments: [],
            customFieldGroups: [],
            customFields: [],
            customFieldValues: [],
            cardRelations: [],
          },
        };
      },
    },
    {
      method: 'PATCH',
      pattern: /^\/api\/cards\/([^/]+)$/,
      auth: true,
      handle: (ctx, [cardId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'id', cardId);
        const input = validate(ctx, {
          boardId: 'id?',
          listId: 'id?',
          type: ['project', 'story', undefined],
          position: 'position?',
          name: 'nonempty?',
          description: 'text?',
          dueDate: 'date?',
          isDueCompleted: 'boolean?',
        });
        const card = cardFor(user, cardId);
        let board = need(state.boards.get(card.boardId));
        if (input.boardId !== undefined) {
          board = boardFor(user, String(input.boardId));
          if (board.projectId !== state.boards.get(card.boardId)?.projectId) {
            throw fail(500, 'boardInValuesMustBelongToProject');
          }
          if (input.listId === undefined && board.id !== card.boardId) throw fail(422, 'List must be present');
        }
        let nextList: FakeList | undefined;
        if (input.listId !== undefined) {
          nextList = state.lists.get(String(input.listId));
          if (!nextList || nextList.boardId !== board.id) throw fail(404, 'List not found');
          if (nextList.id === card.listId) nextList = undefined;
        }
        const targetList = nextList ?? need(state.lists.get(card.listId));
        if (isFinite(targetList)) {
          if (nextList && input.position === undefined) throw fail(422, 'Position must be present');
          if (input.position !== undefined && input.position !== null) {
            card.position = placeCard(targetList.id, Number(input.position), card.id);
          }
        } else {
          card.position = null;
        }
        if (nextList) {
          card.prevListId = isFinite(nextList) ? null : card.listId;
          card.listId = nextList.id;
          card.boardId = nextList.boardId;
          card.listChangedAt = now();
          if (isFinite(nextList)) card.isClosed = nextList.type === 'closed';
        }
        if (input.type !== undefined) card.type = input.type === 'story' ? 'story' : 'project';
        if (input.name !== undefined) card.name = String(input.name);
        if (input.description !== undefined) card.description = typeof input.description === 'string' ? input.description : null;
        if (input.dueDate !== undefined) {
          card.dueDate = typeof input.dueDate === 'string' ? toUtc(input.dueDate) : null;
          card.isDueCompleted = card.dueDate === null ? null : (card.isDueCompleted ?? false);
        }
        if (typeof input.isDueCompleted === 'boolean') card.isDueCompleted = input.isDueCompleted;
        card.updatedAt = now();
        return { item: presentCard(card) };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/cards\/([^/]+)$/,
      auth: true,
      handle: (ctx, [cardId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'id', cardId);
        const card = cardFor(user, cardId);
        state.cards.delete(card.id);
        for (const [id, cl] of state.cardLabels) if (cl.cardId === card.id) state.cardLabels.delete(id);
        return { item: presentCard(card) };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/boards\/([^/]+)\/labels$/,
      auth: true,
      handle: (ctx, [boardId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'boardId', boardId);
        const input = validate(ctx, { position: 'position!', name: 'nonempty?', color: LABEL_COLORS });
        const board = boardFor(user, boardId);
        const label: FakeLabel = {
          id: newId(),
          boardId: board.id,
          name: typeof input.name === 'string' ? input.name : null,
          color: String(input.color),
          position: Number(input.position),
        };
        state.labels.set(label.id, label);
        return { item: { ...label, createdAt: now(), updatedAt: null } };
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/cards\/([^/]+)\/card-labels$/,
      auth: true,
      handle: (ctx, [cardId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'cardId', cardId);
        const input = validate(ctx, { labelId: 'id!' });
        const card = cardFor(user, cardId);
        const label = state.labels.get(String(input.labelId));
        if (!label || label.boardId !== card.boardId) throw fail(404, 'Label not found');
        const exists = [...state.cardLabels.values()].some((cl) => cl.cardId === card.id && cl.labelId === label.id);
        if (exists) throw fail(409, 'Label already in card');
        const cardLabel: FakeCardLabel = { id: newId(), cardId: card.id, labelId: label.id };
        state.cardLabels.set(cardLabel.id, cardLabel);
        return { item: { ...cardLabel, createdAt: now(), updatedAt: null } };
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/cards\/([^/]+)\/card-labels\/labelId:([^/]+)$/,
      auth: true,
      handle: (ctx, [cardId = '', labelId = '']) => {
        const user = need(ctx.user);
        checkId(ctx, 'cardId', cardId);
        checkId(ctx, 'labelId', labelId);
        const card = cardFor(user, cardId);
        const found = [...state.cardLabels.values()].find((cl) => cl.cardId === card.id && cl.labelId === labelId);
        if (!found) throw fail(404, 'Label not in card');
        state.cardLabels.delete(found.id);
        return { item: found };
      },
    },
  ];

  function authenticate(req: IncomingMessage): FakeUser | undefined {
    const apiKey = header(req, 'x-api-key');
    if (apiKey !== undefined) return options.apiKey !== undefined && apiKey === options.apiKey ? apiKeyUser : undefined;
    const authorization = header(req, 'authorization');
    if (authorization?.startsWith('Bearer ')) {
      const userId = accessTokens.get(authorization.slice('Bearer '.length));
      return userId === undefined ? undefined : state.users.get(userId);
    }
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake-planka');
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: header(req, 'authorization'),
      apiKey: header(req, 'x-api-key'),
      body: raw === '' ? undefined : safeJson(raw),
      status: 0,
      unexpected: false,
    };
    requests.push(record);
    const reply = (status: number, body: Json): void => {
      record.status = status;
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    };

    if (failures.remaining > 0) {
      failures.remaining -= 1;
      const injected = failures.status === 400
        ? { code: 'E_MISSING_OR_INVALID_PARAMS', problems: ['injected failure'], message: 'injected failure' }
        : { code: codeForStatus(failures.status), message: 'injected failure' };
      reply(failures.status, injected);
      return;
    }

    for (const route of routes) {
      if (route.method !== method) continue;
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      try {
        const user = authenticate(req);
        if (route.auth && !user) throw fail(401, 'Access token is missing, invalid or expired');
        let body: Json = {};
        if (raw !== '') {
          const parsed = safeJson(raw);
          if (!isObject(parsed)) throw fail(400, 'The request body must be a JSON object');
          body = parsed;
        }
        const ctx: Ctx = { method, path: url.pathname, query: record.query, body, user };
        reply(200, route.handle(ctx, match.slice(1).map(decodeURIComponent)));
      } catch (err) {
        if (err instanceof HttpFailure) reply(err.status, err.body);
        else reply(500, { code: 'E_SERVER_ERROR', message: err instanceof Error ? err.message : String(err) });
      }
      return;
    }
    record.unexpected = true;
    reply(404, { code: 'E_NOT_FOUND', message: `fake planka: unexpected request ${method} ${url.pathname}` });
  }

  const sockets = new Set<Socket>();
  let mode: 'up' | 'refused' | 'reset' = 'up';
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ code: 'E_SERVER_ERROR', message: String(err) }));
    });
  });
  server.on('connection', (socket: Socket) => {
    if (mode === 'reset') {
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await listen(server, 0);
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('fake planka: no TCP address');
  const { port } = address;

  const dropConnections = (): void => {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
  };

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unexpected: () => requests.filter((r) => r.unexpected),
    state,
    termsSignature,
    expireTokens: () => accessTokens.clear(),
    async down(downMode = 'refused') {
      if (mode !== 'up') return;
      mode = downMode;
      dropConnections();
      if (downMode === 'refused') await closeServer(server);
    },
    async up() {
      if (mode === 'refused') await listen(server, port);
      mode = 'up';
    },
    failNext(count, status) {
      failures = { remaining: count, status };
    },
    editCard(cardId, changes) {
      const card = state.cards.get(cardId);
      if (!card) throw new Error(`fake planka: no card ${cardId}`);
      if (changes.name !== undefined) card.name = changes.name;
      if (changes.description !== undefined) card.description = changes.description;
      if (changes.dueDate !== undefined) card.dueDate = changes.dueDate === null ? null : toUtc(changes.dueDate);
      card.updatedAt = now();
      return card;
    },
    async close() {
      dropConnections();
      if (server.listening) await closeServer(server);
    },
  };
}

// --- Sails-style input validation: 400 E_MISSING_OR_INVALID_PARAMS with `problems` ---

type Rule =
  | 'string!'
  | 'nonempty?'
  | 'text?'
  | 'id!'
  | 'id?'
  | 'position!'
  | 'position?'
  | 'date?'
  | 'boolean?'
  | ReadonlyArray<string | undefined>;

function validate(ctx: Ctx, rules: Record<string, Rule>): Record<string, unknown> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, rule] of Object.entries(rules)) {
    const value = ctx.body[name];
    const required = Array.isArray(rule) ? !rule.includes(undefined) : typeof rule === 'string' && rule.endsWith('!');
    if (value === undefined) {
      if (required) problems.push(`"${name}" is required, but it was not defined.`);
      continue;
    }
    if (!fits(rule, value)) {
      problems.push(`Invalid "${name}":\n  · ${describe(rule)}, but got ${JSON.stringify(value)}.`);
      continue;
    }
    out[name] = value;
  }
  if (problems.length > 0) throw invalidParams(ctx, problems);
  return out;
}

function fits(rule: Rule, value: unknown): boolean {
  if (Array.isArray(rule)) return typeof value === 'string' && rule.includes(value);
  switch (rule) {
    case 'string!':
      return typeof value === 'string';
    case 'nonempty?':
      return typeof value === 'string' && value !== '';
    case 'text?':
      return value === null || (typeof value === 'string' && value !== '');
    case 'id!':
    case 'id?':
      return typeof value === 'string' && /^[1-9][0-9]{0,18}$/.test(value);
    case 'position!':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0;
    case 'position?':
      return value === null || (typeof value === 'number' && Number.isFinite(value) && value >= 0);
    case 'date?':
      return value === null || (typeof value === 'string' && isStrictIsoDate(value));
    case 'boolean?':
      return value === null || typeof value === 'boolean';
    default:
      return false;
  }
}

function describe(rule: Rule): string {
  if (Array.isArray(rule)) return `Value was not in the configured whitelist (${rule.filter(Boolean).join(', ')})`;
  return `Expected ${String(rule).replace(/[!?]$/, '')}`;
}

function invalidParams(ctx: Ctx, problems: string[]): HttpFailure {
  return new HttpFailure(400, {
    code: 'E_MISSING_OR_INVALID_PARAMS',
    problems,
    message: `The server could not fulfill this request (\`${ctx.method} ${ctx.path}\`) due to ${problems.length} missing or invalid parameters.`,
  });
}

function checkId(ctx: Ctx, name: string, value: string): void {
  if (!/^[1-9][0-9]{0,18}$/.test(value)) throw invalidParams(ctx, [`Invalid "${name}"`]);
}

// Planka checks dates with moment(value, moment.ISO_8601, true): ISO-8601 only, no "tomorrow"
// and no "2025/01/02". Values without an offset are taken as UTC here (Planka's server clock).
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

function isStrictIsoDate(value: string): boolean {
  const m = ISO_DATE.exec(value);
  if (!m) return false;
  const [year, month, day, hour = 0, minute = 0, second = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((p) => Number(p ?? 0));
  if (year === undefined || month === undefined || day === undefined) return false;
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return false;
  return day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function toUtc(value: string): string {
  const hasOffset = /(Z|[+-]\d{2}(:?\d{2})?)$/.test(value) && value.includes('T');
  const normalized = value.includes('T') ? value : `${value}T00:00:00`;
  const withOffset = hasOffset
    ? normalized.replace(/([+-]\d{2})(\d{2})?$/, (_all: string, h: string, m: string | undefined) => `${h}:${m ?? '00'}`)
    : `${normalized}Z`;
  return new Date(withOffset).toISOString();
}

// --- plumbing ---

function need<T>(value: T | undefined): T {
  if (value === undefined) throw fail(500, 'fake planka: inconsistent state');
  return value;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function safeJson(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
