import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../../src/log/index.js';
import {
  PlankaError,
  createPlankaClient,
  type FetchLike,
  type PlankaAuth,
  type PlankaClient,
  type PlankaErrorKind,
} from '../../src/board/planka/index.js';
import { startFakePlanka, type FakePlanka, type FakePlankaOptions } from '../fakes/planka.js';

const API_KEY = 'D89VszVs_oSS6TdDtYmi0j1LhugOioY40dDVssESO';
const OWNER = { username: 'owner', password: 'correct-horse-battery' };

let fakes: FakePlanka[] = [];
afterEach(async () => {
  for (const fake of fakes) {
    expect(fake.unexpected()).toEqual([]);
    await fake.close();
  }
  fakes = [];
});

async function startFake(options: FakePlankaOptions): Promise<FakePlanka> {
  const fake = await startFakePlanka(options);
  fakes.push(fake);
  return fake;
}

function clientFor(fake: FakePlanka, auth: PlankaAuth, extra: { fetch?: FetchLike; timeoutMs?: number } = {}): PlankaClient {
  return createPlankaClient({ baseUrl: fake.url, auth, timeoutMs: extra.timeoutMs ?? 5_000, log: silentLogger(), fetch: extra.fetch });
}

async function apiKeyClient(): Promise<{ fake: FakePlanka; planka: PlankaClient }> {
  const fake = await startFake({ apiKey: API_KEY, users: [{ ...OWNER, termsAccepted: true }] });
  return { fake, planka: clientFor(fake, { kind: 'api-key', apiKey: API_KEY }) };
}

async function seedBoard(planka: PlankaClient) {
  const project = await planka.createProject({ name: 'Life', type: 'private' });
  const board = await planka.createBoard(project.id, { name: 'Tasks' });
  const todo = await planka.createList(board.id, { name: 'To do' });
  const done = await planka.createList(board.id, { name: 'Done', type: 'closed' });
  return { project, board, todo, done };
}

async function caught(promise: Promise<unknown>): Promise<PlankaError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof PlankaError) return err;
    throw err;
  }
  throw new Error('expected a PlankaError');
}

const logins = (fake: FakePlanka) => fake.requests.filter((r) => r.method === 'POST' && r.path === '/api/access-tokens');

describe('planka client: authentication', () => {
  it('sends the API key in X-Api-Key and never a bearer token', async () => {
    const { fake, planka } = await apiKeyClient();
    const project = await planka.createProject({ name: 'Life', type: 'shared' });
    const projects = await planka.listProjects();
    expect(projects.map((p) => p.project.id)).toEqual([project.id]);
    expect(fake.requests.every((r) => r.apiKey === API_KEY && r.authorization === undefined)).toBe(true);
    expect(fake.requests.find((r) => r.path === '/api/projects' && r.method === 'POST')?.body).toEqual({ name: 'Life', type: 'shared' });
    expect(logins(fake)).toHaveLength(0);
  });

  it('reports a wrong API key as unauthorized without retrying', async () => {
    const fake = await startFake({ apiKey: API_KEY });
    const planka = clientFor(fake, { kind: 'api-key', apiKey: 'wrong' });
    const error = await caught(planka.listProjects());
    expect(error).toMatchObject({ kind: 'unauthorized', status: 401, code: 'E_UNAUTHORIZED', operation: 'listProjects', retryable: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('accepts the terms on the first password login, then uses the bearer token', async () => {
    const fake = await startFake({ users: [OWNER] });
    const planka = clientFor(fake, { kind: 'password', ...OWNER });
    await planka.createProject({ name: 'Life', type: 'private' });

    expect(fake.requests.slice(0, 4).map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      'POST /api/access-tokens 403',
      'GET /api/terms 200',
      'POST /api/access-tokens/accept-terms 200',
      'POST /api/projects 200',
    ]);
    expect(fake.requests[0]?.body).toEqual({ emailOrUsername: 'owner', password: OWNER.password });
    expect(fake.requests[1]?.query).toEqual({ type: 'general' });
    const accept = fake.requests[2]?.body;
    expect(accept).toMatchObject({ signature: fake.termsSignature });
    expect(fake.requests[3]?.authorization).toMatch(/^Bearer eyJ/);
    expect([...fake.state.users.values()][0]?.termsAccepted).toBe(true);

    // Terms are accepted once per user: a fresh client logs in directly.
    const second = clientFor(fake, { kind: 'password', ...OWNER });
    await second.listProjects();
    expect(fake.requests.filter((r) => r.path === '/api/access-tokens/accept-terms')).toHaveLength(1);
    expect(logins(fake).map((r) => r.status)).toEqual([403, 200]);
  });

  it('logs in once, caches the token and shares one login between concurrent calls', async () => {
    const fake = await startFake({ users: [{ ...OWNER, termsAccepted: true }] });
    const planka = clientFor(fake, { kind: 'password', ...OWNER });
    await Promise.all([planka.listProjects(), planka.listProjects(), planka.listProjects()]);
    await planka.listProjects();
    expect(logins(fake)).toHaveLength(1);
  });

  it('logs in again once on a 401 and retries the request once', async () => {
    const fake = await startFake({ users: [{ ...OWNER, termsAccepted: true }] });
    const planka = clientFor(fake, { kind: 'password', ...OWNER });
    const project = await planka.createProject({ name: 'Life', type: 'private' });
    fake.expireTokens();
    const view = await planka.getProject(project.id);
    expect(view.project.name).toBe('Life');
    expect(logins(fake)).toHaveLength(2);
    expect(fake.requests.filter((r) => r.path === `/api/projects/${project.id}`).map((r) => r.status)).toEqual([401, 200]);
  });

  it('gives up after one re-login when the new token is rejected too', async () => {
    const fake = await startFake({ users: [{ ...OWNER, termsAccepted: true }] });
    let projectCalls = 0;
    const rejectsProjects: FetchLike = (input, init) => {
      if (!input.endsWith('/api/projects')) return fetch(input, init);
      projectCalls += 1;
      return Promise.resolve(new Response('{"code":"E_UNAUTHORIZED","message":"Access token is missing, invalid or expired"}', { status: 401 }));
    };
    const planka = clientFor(fake, { kind: 'password', ...OWNER }, { fetch: rejectsProjects });
    const error = await caught(planka.listProjects());
    expect(error).toMatchObject({ kind: 'unauthorized', operation: 'listProjects', code: 'E_UNAUTHORIZED', retryable: false });
    expect(projectCalls).toBe(2);
    expect(logins(fake)).toHaveLength(2);
  });

  it('logs in again when any request answers 401', async () => {
    const fake = await startFake({ users: [{ ...OWNER, termsAccepted: true }] });
    const planka = clientFor(fake, { kind: 'password', ...OWNER });
    await planka.listProjects();
    fake.failNext(1, 401);
    expect(await planka.listProjects()).toEqual([]);
    expect(logins(fake)).toHaveLength(2);
  });

  it('reports a wrong password as unauthorized on the login operation', async () => {
    const fake = await startFake({ users: [{ ...OWNER, termsAccepted: true }] });
    const planka = clientFor(fake, { kind: 'password', username: 'owner', password: 'nope' });
    const error = await caught(planka.listProjects());
    expect(error).toMatchObject({ kind: 'unauthorized', operation: 'login', status: 401, retryable: false });
    expect(error.message).toContain('PLANKA_PASSWORD');
    expect(error.message).not.toContain('nope');
  });

  it('never logs the API key, the password or the token', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const fake = await startFake({ users: [OWNER], apiKey: API_KEY });
    const log = createLogger({ level: 'trace', destination: sink });
    const byPassword = createPlankaClient({ baseUrl: fake.url, auth: { kind: 'password', ...OWNER }, timeoutMs: 5_000, log });
    const byKey = createPlankaClient({ baseUrl: fake.url, auth: { kind: 'api-key', apiKey: API_KEY }, timeoutMs: 5_000, log });
    await byPassword.listProjects();
    fake.expireTokens();
    await byPassword.listProjects();
    await byKey.listProjects();
    await caught(createPlankaClient({ baseUrl: fake.url, auth: { kind: 'password', username: 'owner', password: 'typo-secret' }, timeoutMs: 5_000, log }).listProjects());

    const output = lines.join('');
    expect(output).toContain('planka request'); // the logger did receive lines
    const tokens = fake.requests.flatMap((r) => (r.authorization ? [r.authorization.slice('Bearer '.length)] : []));
    expect(tokens.length).toBeGreaterThan(0);
    for (const secret of [API_KEY, OWNER.password, 'typo-secret', ...tokens]) expect(output).not.toContain(secret);
  });
});

describe('planka client: boards, lists and cards', () => {
  it('creates a project, board, lists and cards with v2 types and appended positions', async () => {
    const { fake, planka } = await apiKeyClient();
    const { project, board, todo, done } = await seedBoard(planka);
    const a = await planka.createCard(todo.id, { name: 'Buy milk' });
    const b = await planka.createCard(todo.id, { name: 'Call mum', description: 'about Sunday', type: 'story' });

    expect(board.projectId).toBe(project.id);
    expect([todo.position, done.position]).toEqual([65536, 131072]);
    expect([todo.type, done.type]).toEqual(['active', 'closed']);
    expect([a.position, b.position]).toEqual([65536, 131072]);
    expect(b).toMatchObject({ listId: todo.id, boardId: board.id, type: 'story', description: 'about Sunday', isClosed: false });

    const sent = (path: string) => fake.requests.filter((r) => r.method === 'POST' && r.path === path).map((r) => r.body);
    expect(sent(`/api/projects/${project.id}/boards`)).toEqual([{ name: 'Tasks', position: 65536 }]);
    expect(sent(`/api/boards/${board.id}/lists`)).toEqual([
      { name: 'To do', type: 'active', position: 65536 },
      { name: 'Done', type: 'closed', position: 131072 },
    ]);
    expect(sent(`/api/lists/${todo.id}/cards`)[0]).toEqual({ name: 'Buy milk', type: 'project', position: 65536 });

    const view = await planka.getProject(project.id);
    expect(view.boards.map((x) => x.id)).toEqual([board.id]);
  });

  it('keeps 64-bit ids as strings end to end', async () => {
    const { fake, planka } = await apiKeyClient();
    const { board, todo } = await seedBoard(planka);
    const card = await planka.createCard(todo.id, { name: 'Precise' });
    for (const id of [board.id, todo.id, card.id]) {
      expect(typeof id).toBe('string');
      expect(BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    }
    expect(fake.state.cards.get(card.id)?.name).toBe('Precise');
    expect((await planka.getCard(card.id)).id).toBe(card.id);
  });

  it('rejects ids that arrive as JSON numbers instead of silently rounding them', async () => {
    const fake = await startFake({ apiKey: API_KEY });
    const numericIds: FetchLike = async () =>
      new Response('{"items":[{"id":1357158568008091264,"name":"x"}],"included":{"boards":[]}}', { status: 200 });
    const planka = clientFor(fake, { kind: 'api-key', apiKey: API_KEY }, { fetch: numericIds });
    const error = await caught(planka.listProjects());
    expect(error).toMatchObject({ kind: 'server', status: 200, retryable: false });
    expect(error.message).toContain('items.0.id');
  });

  it('filters the archive and trash lists and their cards out of the board', async () => {
    const { fake, planka } = await apiKeyClient();
    const { board, todo, done } = await seedBoard(planka);
    const kept = await planka.createCard(todo.id, { name: 'Keep' });
    const archived = await planka.createCard(todo.id, { name: 'Old' });

    const rawLists = [...fake.state.lists.values()].filter((l) => l.boardId === board.id);
    expect(rawLists.map((l) => l.type).sort()).toEqual(['active', 'archive', 'closed', 'trash']);
    let view = await planka.getBoard(board.id);
    expect(view.archiveListId).not.toBeNull();
    expect(view.trashListId).not.toBeNull();

    const moved = await planka.updateCard(archived.id, { listId: view.archiveListId ?? '' });
    expect(moved.position).toBeNull();

    view = await planka.getBoard(board.id);
    expect(view.lists.map((l) => [l.name, l.type])).toEqual([
      [todo.name, 'active'],
      [done.name, 'closed'],
    ]);
    expect(view.cards.map((c) => c.id)).toEqual([kept.id]);
  });

  it('sorts lists and cards by position even when created out of order', async () => {
    const { planka } = await apiKeyClient();
    const project = await planka.createProject({ name: 'P', type: 'private' });
    const board = await planka.createBoard(project.id, { name: 'B', position: 65536 });
    const later = await planka.createList(board.id, { name: 'Later', position: 200000 });
    const first = await planka.createList(board.id, { name: 'First', position: 1000 });
    await planka.createCard(later.id, { name: 'z', position: 500 });
    await planka.createCard(first.id, { name: 'y', position: 900 });
    await planka.createCard(first.id, { name: 'x', position: 100 });
    const view = await planka.getBoard(board.id);
    expect(view.lists.map((l) => l.name)).toEqual(['First', 'Later']);
    expect(view.cards.map((c) => c.name)).toEqual(['x', 'y', 'z']);
  });

  it('sees the silent renumbering after a colliding position when it re-reads the board', async () => {
    const { planka } = await apiKeyClient();
    const { board, todo } = await seedBoard(planka);
    const a = await planka.createCard(todo.id, { name: 'a' });
    const b = await planka.createCard(todo.id, { name: 'b' });
    const c = await planka.createCard(todo.id, { name: 'c', position: b.position ?? 0 });
    const view = await planka.getBoard(board.id);
    expect(view.cards.map((x) => x.id)).toEqual([a.id, c.id, b.id]);
    const bNow = view.cards.find((x) => x.id === b.id);
    expect(bNow?.position).not.toBe(b.position); // Planka moved a card we did not touch
  });

  it('closes a card moved into a closed list and reopens it when moved back', async () => {
    const { planka } = await apiKeyClient();
    const { todo, done } = await seedBoard(planka);
    await planka.createCard(done.id, { name: 'already done' });
    const card = await planka.createCard(todo.id, { name: 'Ship it' });

    const closed = await planka.moveCard(card.id, { listId: done.id });
    expect(closed).toMatchObject({ listId: done.id, isClosed: true, position: 131072 });
    const reopened = await planka.moveCard(card.id, { listId: todo.id, position: 65536 });
    expect(reopened).toMatchObject({ listId: todo.id, isClosed: false });
    expect((await planka.getCard(card.id)).isClosed).toBe(false);
  });

  it('round-trips dueDate in UTC and clears it with null', async () => {
    const { planka } = await apiKeyClient();
    const { todo } = await seedBoard(planka);
    const card = await planka.createCard(todo.id, { name: 'Dentist', dueDate: '2025-03-01T09:30:00+02:00' });
    expect(card.dueDate).toBe('2025-03-01T07:30:00.000Z');
    const updated = await planka.updateCard(card.id, { dueDate: '2025-12-31T23:00:00-05:00', name: 'Dentist!' });
    expect(updated).toMatchObject({ dueDate: '2026-01-01T04:00:00.000Z', name: 'Dentist!' });
    expect((await planka.getCard(card.id)).dueDate).toBe('2026-01-01T04:00:00.000Z');
    expect((await planka.updateCard(card.id, { dueDate: null })).dueDate).toBeNull();
  });

  it('rejects a dueDate that is not strict ISO-8601', async () => {
    const { planka } = await apiKeyClient();
    const { todo } = await seedBoard(planka);
    const error = await caught(planka.createCard(todo.id, { name: 'x', dueDate: 'next friday' }));
    expect(error).toMatchObject({ kind: 'invalid', status: 400, code: 'E_MISSING_OR_INVALID_PARAMS', retryable: false });
    expect(error.problems.join(' ')).toContain('dueDate');
  });

  it('deletes a card', async () => {
    const { fake, planka } = await apiKeyClient();
    const { board, todo } = await seedBoard(planka);
    const card = await planka.createCard(todo.id, { name: 'Temporary' });
    await planka.deleteCard(card.id);
    expect(fake.state.cards.has(card.id)).toBe(false);
    expect((await planka.getBoard(board.id)).cards).toEqual([]);
    expect(await caught(planka.getCard(card.id))).toMatchObject({ kind: 'not-found', code: 'E_NOT_FOUND', operation: 'getCard' });
  });

  it('adds and removes card labels, and treats a duplicate as already present', async () => {
    const { planka } = await apiKeyClient();
    const { board, todo } = await seedBoard(planka);
    const card = await planka.createCard(todo.id, { name: 'Labelled' });
    const label = await planka.createLabel(board.id, { name: 'health', color: 'berry-red' });
    expect(label.position).toBe(65536);
    expect(await planka.addCardLabel(card.id, label.id)).toBe('added');
    expect(await planka.addCardLabel(card.id, label.id)).toBe('already-present');
    const view = await planka.getBoard(board.id);
    expect(view.labels.map((l) => l.name)).toEqual(['health']);
    expect(view.cards[0]?.labelIds).toEqual([label.id]);
    await planka.removeCardLabel(card.id, label.id);
    expect((await planka.getCard(card.id)).labelIds).toEqual([]);
  });
});

describe('planka client: errors', () => {
  it('maps a missing position on a move to invalid (422)', async () => {
    const { planka } = await apiKeyClient();
    const { todo, done } = await seedBoard(planka);
    const card = await planka.createCard(todo.id, { name: 'x' });
    const error = await caught(planka.updateCard(card.id, { listId: done.id }));
    expect(error).toMatchObject({ kind: 'invalid', status: 422, code: 'E_UNPROCESSABLE_ENTITY', operation: 'updateCard' });
    expect(error.message).toContain('Position must be present');
  });

  it('answers not-found for a board of someone else', async () => {
    const fake = await startFake({ users: [{ ...OWNER, termsAccepted: true }, { username: 'other', password: 'other-pass', termsAccepted: true, role: 'projectOwner' }] });
    const theirs = clientFor(fake, { kind: 'password', username: 'other', password: 'other-pass' });
    const { board } = await seedBoard(theirs);
    const mine = clientFor(fake, { kind: 'password', ...OWNER });
    expect(await caught(mine.getBoard(board.id))).toMatchObject({ kind: 'not-found', status: 404, retryable: false });
    expect(await mine.listProjects()).toEqual([]);
  });

  const cases: Array<[number, PlankaErrorKind, string | undefined, boolean]> = [
    [400, 'invalid', 'E_MISSING_OR_INVALID_PARAMS', false],
    [403, 'forbidden', 'E_FORBIDDEN', false],
    [404, 'not-found', 'E_NOT_FOUND', false],
    [409, 'conflict', 'E_CONFLICT', false],
    [422, 'invalid', 'E_UNPROCESSABLE_ENTITY', false],
    [429, 'server', undefined, true],
    [500, 'server', 'E_SERVER_ERROR', true],
    [503, 'server', 'E_SERVER_ERROR', true],
  ];
  it.each(cases)('maps HTTP %i to %s', async (status, kind, code, retryable) => {
    const { fake, planka } = await apiKeyClient();
    const { todo } = await seedBoard(planka);
    fake.failNext(1, status);
    const error = await caught(planka.createCard(todo.id, { name: 'x', position: 1 }));
    expect(error).toMatchObject({ kind, status, retryable, operation: 'createCard' });
    if (code) expect(error.code).toBe(code);
  });

  it('carries the problems list of a 400', async () => {
    const { fake, planka } = await apiKeyClient();
    fake.failNext(1, 400);
    const error = await caught(planka.listProjects());
    expect(error.problems).toEqual(['injected failure']);
  });

  it('reports a refused connection as unreachable and retryable, and recovers', async () => {
    const { fake, planka } = await apiKeyClient();
    await planka.listProjects();
    await fake.down();
    const error = await caught(planka.listProjects());
    expect(error).toMatchObject({ kind: 'unreachable', retryable: true, status: undefined, operation: 'listProjects' });
    await fake.up();
    expect(await planka.listProjects()).toEqual([]);
  });

  it('reports a reset connection as unreachable', async () => {
    const { fake, planka } = await apiKeyClient();
    await fake.down('reset');
    expect(await caught(planka.listProjects())).toMatchObject({ kind: 'unreachable', retryable: true });
    await fake.up();
    expect(await planka.listProjects()).toEqual([]);
  });

  it('reports a request that never answers as a retryable timeout', async () => {
    const fake = await startFake({ apiKey: API_KEY });
    const hanging: FetchLike = (_input, init) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new Error('aborted')));
      });
    const planka = clientFor(fake, { kind: 'api-key', apiKey: API_KEY }, { fetch: hanging, timeoutMs: 20 });
    expect(await caught(planka.listProjects())).toMatchObject({ kind: 'timeout', retryable: true });
  });

  it('probe never throws and says what is wrong', async () => {
    const { fake, planka } = await apiKeyClient();
    await planka.createProject({ name: 'Life', type: 'private' });
    expect(await planka.probe()).toEqual({ ok: true, projects: 1 });
    const badKey = clientFor(fake, { kind: 'api-key', apiKey: 'wrong' });
    expect(await badKey.probe()).toMatchObject({ ok: false, kind: 'unauthorized' });
    await fake.down();
    expect(await planka.probe()).toMatchObject({ ok: false, kind: 'unreachable' });
    await fake.up();
  });
});
