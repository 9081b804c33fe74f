import { z } from 'zod';
import { createAuthorizedSend } from './auth.js';
import { PlankaError } from './errors.js';
import { createHttpSend, expectOk, type HttpRequest } from './http.js';
import { appendPosition } from './positions.js';
import {
  BoardResponse,
  CardResponse,
  ListResponse,
  PlankaBoard,
  PlankaCard,
  PlankaCardLabel,
  PlankaLabel,
  PlankaProject,
  PlankaRawList,
  PlankaUser,
  ProjectResponse,
  ProjectsResponse,
  itemEnvelope,
} from './schemas.js';
import type {
  PlankaBoardView,
  PlankaCardWithLabels,
  PlankaClient,
  PlankaClientOptions,
  PlankaList,
  PlankaListType,
  UpdateCardPatch,
} from './types.js';

const ProjectItem = itemEnvelope(PlankaProject);
const BoardItem = itemEnvelope(PlankaBoard);
const RawListItem = itemEnvelope(PlankaRawList);
const CardItem = itemEnvelope(PlankaCard);
const LabelItem = itemEnvelope(PlankaLabel);
const CardLabelItem = itemEnvelope(PlankaCardLabel);
const UserItem = itemEnvelope(PlankaUser);
const AnyItem = z.object({ item: z.unknown() });

export function createPlankaClient(options: PlankaClientOptions): PlankaClient {
  const log = options.log.child({ subsystem: 'planka' });
  const send = createHttpSend({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    log,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  });
  const authorized = createAuthorizedSend(options.auth, send, log);

  async function call<T extends z.ZodType>(operation: string, request: HttpRequest, schema: T): Promise<z.infer<T>> {
    return expectOk(operation, await authorized(operation, request), schema);
  }

  async function getProject(projectId: string) {
    const body = await call('getProject', { method: 'GET', path: `/api/projects/${id(projectId)}` }, ProjectResponse);
    return { project: body.item, boards: body.included.boards.filter((b) => b.projectId === body.item.id) };
  }

  async function getBoard(boardId: string): Promise<PlankaBoardView> {
    const body = await call('getBoard', { method: 'GET', path: `/api/boards/${id(boardId)}` }, BoardResponse);
    const lists = body.included.lists.flatMap(toFiniteList).sort(byPosition);
    const order = new Map(lists.map((list, index) => [list.id, index]));
    const labelIds = groupLabelIds(body.included.cardLabels);
    const cards: PlankaCardWithLabels[] = body.included.cards
      .filter((card) => order.has(card.listId))
      .map((card) => ({ ...card, labelIds: labelIds.get(card.id) ?? [] }))
      .sort((a, b) => (order.get(a.listId) ?? 0) - (order.get(b.listId) ?? 0) || (a.position ?? 0) - (b.position ?? 0));
    return {
      board: body.item,
      lists,
      cards,
      labels: [...body.included.labels].sort(byPosition),
      archiveListId: body.included.lists.find((list) => list.type === 'archive')?.id ?? null,
      trashListId: body.included.lists.find((list) => list.type === 'trash')?.id ?? null,
    };
  }

  async function appendPositionInList(listId: string, operation: string): Promise<number> {
    const body = await call(operation, { method: 'GET', path: `/api/lists/${id(listId)}` }, ListResponse);
    return appendPosition(body.included.cards);
  }

  async function updateCard(cardId: string, patch: UpdateCardPatch, operation = 'updateCard') {
    const body = await call(operation, { method: 'PATCH', path: `/api/cards/${id(cardId)}`, body: patch }, CardItem);
    return body.item;
  }

  return {
    async listProjects() {
      const body = await call('listProjects', { method: 'GET', path: '/api/projects' }, ProjectsResponse);
      return body.items.map((project) => ({
        project,
        boards: body.included.boards.filter((board) => board.projectId === project.id).sort(byPosition),
      }));
    },

    async createProject(input) {
      const body = await call('createProject', { method: 'POST', path: '/api/projects', body: input }, ProjectItem);
      return body.item;
    },

    getProject,

    async createBoard(projectId, input) {
      const position = input.position ?? appendPosition((await getProject(projectId)).boards);
      const body = await call(
        'createBoard',
        { method: 'POST', path: `/api/projects/${id(projectId)}/boards`, body: { name: input.name, position } },
        BoardItem,
      );
      return body.item;
    },

    getBoard,

    async createList(boardId, input) {
      const position = input.position ?? appendPosition((await getBoard(boardId)).lists);
      const body = await call(
        'createList',
        {
          method: 'POST',
          path: `/api/boards/${id(boardId)}/lists`,
          body: { name: input.name, type: input.type ?? 'active', position },
        },
        RawListItem,
      );
      const list = toFiniteList(body.item)[0];
      if (!list) throw unexpected('createList', 'Planka created a list that is not active or closed');
      return list;
    },

    async createCard(listId, input) {
      const position = input.position ?? (await appendPositionInList(listId, 'createCard'));
      const body = await call(
        'createCard',
        {
          method: 'POST',
          path: `/api/lists/${id(listId)}/cards`,
          body: { ...input, type: input.type ?? 'project', position },
        },
        CardItem,
      );
      return body.item;
    },

    async getCard(cardId) {
      const body = await call('getCard', { method: 'GET', path: `/api/cards/${id(cardId)}` }, CardResponse);
      return { ...body.item, labelIds: body.included.cardLabels.map((cl) => cl.labelId) };
    },

    updateCard: (cardId, patch) => updateCard(cardId, patch),

    async moveCard(cardId, input) {
      const position = input.position ?? (await appendPositionInList(input.listId, 'moveCard'));
      return updateCard(cardId, { ...input, position }, 'moveCard');
    },

    async deleteCard(cardId) {
      await call('deleteCard', { method: 'DELETE', path: `/api/cards/${id(cardId)}` }, AnyItem);
    },

    async createLabel(boardId, input) {
      const position = input.position ?? appendPosition((await getBoard(boardId)).labels);
      const body = await call(
        'createLabel',
        { method: 'POST', path: `/api/boards/${id(boardId)}/labels`, body: { ...input, position } },
        LabelItem,
      );
      return body.item;
    },

    async addCardLabel(cardId, labelId) {
      try {
        await call(
          'addCardLabel',
          { method: 'POST', path: `/api/cards/${id(cardId)}/card-labels`, body: { labelId } },
          CardLabelItem,
        );
        return 'added';
      } catch (err) {
        if (err instanceof PlankaError && err.kind === 'conflict') return 'already-present';
        throw err;
      }
    },

    async removeCardLabel(cardId, labelId) {
      await call(
        'removeCardLabel',
        { method: 'DELETE', path: `/api/cards/${id(cardId)}/card-labels/labelId:${id(labelId)}` },
        AnyItem,
      );
    },

    async currentUser() {
      const body = await call('currentUser', { method: 'GET', path: '/api/users/me' }, UserItem);
      return body.item;
    },

    async probe() {
      try {
        const body = await call('probe', { method: 'GET', path: '/api/projects' }, ProjectsResponse);
        return { ok: true, projects: body.items.length };
      } catch (err) {
        if (err instanceof PlankaError) return { ok: false, kind: err.kind, message: err.message };
        return { ok: false, kind: 'server', message: err instanceof Error ? err.message : String(err) };
      }
    },
  };
}

function id(value: string): string {
  return encodeURIComponent(value);
}

function isFiniteType(type: string): type is PlankaListType {
  return type === 'active' || type === 'closed';
}

function toFiniteList(list: PlankaRawList): PlankaList[] {
  if (!isFiniteType(list.type) || list.position === null) return [];
  return [{ id: list.id, boardId: list.boardId, type: list.type, name: list.name ?? '', position: list.position }];
}

function byPosition(a: { position: number }, b: { position: number }): number {
  return a.position - b.position;
}

function groupLabelIds(cardLabels: readonly PlankaCardLabel[]): Map<string, string[]> {
  const byCard = new Map<string, string[]>();
  for (const { cardId, labelId } of cardLabels) {
    const ids = byCard.get(cardId);
    if (ids) ids.push(labelId);
    else byCard.set(cardId, [labelId]);
  }
  return byCard;
}

function unexpected(operation: string, message: string): PlankaError {
  return new PlankaError(message, { kind: 'server', operation, status: 200 });
}
