import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CardWriteWorker } from '../../src/board/card-write-worker.js';
import { writeQueueDepth } from '../../src/board/card-write-queue-repo.js';
import { PlankaTaskBoard } from '../../src/board/planka/planka-task-board.js';
import { createPlankaClient, PlankaError, type PlankaAuth, type PlankaClient } from '../../src/board/planka/index.js';
import { createStructureSource } from '../../src/board/structure-source.js';
import { registerTaskTools } from '../../src/board/task-tools.js';
import { TaskService } from '../../src/board/task-service.js';
import { tasksContextProvider } from '../../src/board/tasks-context.js';
import { listTasks } from '../../src/board/tasks-repo.js';
import { migrateToLatest, openDatabase, type Db, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { setPreference } from '../../src/preferences/index.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { startFakePlanka, type FakePlanka, type FakeCard } from '../fakes/planka.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const API_KEY = 'D89VszVs_oSS6TdDtYmi0j1LhugOioY40dDVssESO';
const ZONE = 'Europe/Berlin';
const NOW = new Date('2026-11-22T09:00:00Z');

interface Harness {
  tasks: TaskService;
  worker: CardWriteWorker;
  tools: ToolRegistry;
}

function build(db: Db, client: PlankaClient | undefined, auth: 'api-key' | 'password' = 'api-key'): Harness {
  const log = silentLogger();
  const board = client ? new PlankaTaskBoard(client, { log, destination: 'planka.test', auth }) : undefined;
  const source = createStructureSource(db, log);
  const structure = () => source.current();
  const now = () => NOW;
  const worker = new CardWriteWorker({ db, log, board, structure, now });
  const tasks = new TaskService({ db, log, board, worker, structure, now });
  const tools = new ToolRegistry();
  registerTaskTools(tools, { tasks, timeZone: ZONE, now });
  return { tasks, worker, tools };
}

async function runTool(tools: ToolRegistry, name: string, args: unknown, key: string) {
  const checked = tools.check(name, args);
  if (!checked.ok) throw new Error(checked.error);
  return checked.tool.run(checked.args, { idempotencyKey: key, chatId: 1 });
}

async function undo(tools: ToolRegistry, spec: { kind: string; payload: unknown } | undefined): Promise<string> {
  if (!spec) throw new Error('no undo offered');
  const handler = tools.undoHandler(spec.kind);
  if (!handler) throw new Error(`no undo handler ${spec.kind}`);
  return handler(spec.payload);
}

function cardsNamed(fake: FakePlanka, name: string): FakeCard[] {
  return [...fake.state.cards.values()].filter((card) => card.name === name);
}

function listName(fake: FakePlanka, card: FakeCard | undefined): string | null | undefined {
  return card ? fake.state.lists.get(card.listId)?.name : undefined;
}

describe.each(databaseKinds())('board service on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let fake: FakePlanka;
  let client: PlankaClient;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    if (!migrated.ok) throw new Error(migrated.reason);
    fake = await startFakePlanka({ apiKey: API_KEY });
    client = createPlankaClient({ baseUrl: fake.url, auth: { kind: 'api-key', apiKey: API_KEY }, timeoutMs: 5_000, log: silentLogger() });
  });

  afterEach(async () => {
    expect(fake.unexpected()).toEqual([]);
    await fake.close();
    await opened.close();
    await database.drop();
  });

  it('bootstraps one project with the five boards and their lists, idempotently', async () => {
    const first = build(opened.db, client);
    await first.tasks.list();
    const boardNames = [...fake.state.boards.values()].map((board) => board.name);
    expect(boardNames).toEqual(['Career', 'Health', 'Family', 'Finance', 'Creative']);
    expect([...fake.state.projects.values()].map((project) => project.name)).toEqual(['openzero']);
    const career = [...fake.state.boards.values()].find((board) => board.name === 'Career');
    const careerLists = [...fake.state.lists.values()].filter((list) => list.boardId === career?.id && list.name !== null);
    expect(careerLists.sort((a, b) => (a.position ?? 0) - (b.position ?? 0)).map((list) => `${list.name}:${list.type}`)).toEqual([
      'Inbox:active',
      'In Progress:active',
      'Blocked:active',
      'Done:closed',
    ]);
    const posts = fake.requests.filter((request) => request.method === 'POST').length;

    // A fresh process (new layout cache) matches everything by name and creates nothing.
    await build(opened.db, client).tasks.list();
    expect(fake.requests.filter((request) => request.method === 'POST').length).toBe(posts);
    expect(fake.state.boards.size).toBe(5);
  });

  it('adopts a project and board the owner made by hand: adds missing lists, keeps extra ones', async () => {
    const project = await client.createProject({ name: 'OpenZero', type: 'private' });
    const board = await client.createBoard(project.id, { name: 'career' });
    await client.createList(board.id, { name: 'inbox' });
    await client.createList(board.id, { name: 'Someday' });
    const handMade = await client.createCard([...fake.state.lists.values()].find((list) => list.name === 'Someday')!.id, { name: 'Learn Rust' });

    const { tasks } = build(opened.db, client);
    const { tasks: open } = await tasks.list();
    expect(fake.state.projects.size).toBe(1);
    expect([...fake.state.boards.values()].filter((b) => b.name.toLowerCase() === 'career')).toHaveLength(1);
    const lists = [...fake.state.lists.values()].filter((list) => list.boardId === board.id && list.name !== null).map((list) => list.name);
    expect(lists).toEqual(['inbox', 'Someday', 'In Progress', 'Blocked', 'Done']);
    // The owner's card is imported with its extra list.
    expect(open.map((task) => `${task.title}@${task.board}/${task.list}`)).toEqual(['Learn Rust@Career/Someday']);
    expect(open[0]?.plankaCardId).toBe(handMade.id);
  });

  it('creates, moves, completes, renames, re-dates and deletes cards through the tools, with Undo', async () => {
    const { tools } = build(opened.db, client);
    const created = await runTool(tools, 'create_task', { board: 'family', title: 'Renew passport', description: 'Photos first', due: 'Friday' }, 'k1');
    expect(created.content).toContain('Added #1 Renew passport — due Fri 27 Nov 17:00 to Family / Inbox');
    const [card] = cardsNamed(fake, 'Renew passport');
    expect(card?.dueDate).toBe('2026-11-27T16:00:00.000Z');
    expect(card?.description).toMatch(/^Photos first\n\n\[oz:[A-Za-z0-9_-]+\]$/);
    expect(listName(fake, card)).toBe('Inbox');

    // A replay of the same work (same key) does not add a second card.
    await runTool(tools, 'create_task', { board: 'family', title: 'Renew passport', due: 'Friday' }, 'k1');
    expect(cardsNamed(fake, 'Renew passport')).toHaveLength(1);

    const moved = await runTool(tools, 'move_task', { task: '#1', list: 'this week' }, 'k2');
    expect(listName(fake, cardsNamed(fake, 'Renew passport')[0])).toBe('This Week');
    expect(await undo(tools, moved.undo)).toContain('Restored');
    expect(listName(fake, cardsNamed(fake, 'Renew passport')[0])).toBe('Inbox');

    await runTool(tools, 'complete_task', { task: 'passport' }, 'k3');
    const done = cardsNamed(fake, 'Renew passport')[0];
    expect(listName(fake, done)).toBe('Done');
    expect(done?.isClosed).toBe(true);

    const renamed = await runTool(tools, 'rename_task', { task: '#1', title: 'Renew both passports' }, 'k4');
    expect(cardsNamed(fake, 'Renew both passports')).toHaveLength(1);
    await undo(tools, renamed.undo);
    expect(cardsNamed(fake, 'Renew passport')).toHaveLength(1);

    const redated = await runTool(tools, 'redate_task', { task: '#1', due: 'tomorrow 9am' }, 'k5');
    expect(cardsNamed(fake, 'Renew passport')[0]?.dueDate).toBe('2026-11-23T08:00:00.000Z');
    await undo(tools, redated.undo);
    expect(cardsNamed(fake, 'Renew passport')[0]?.dueDate).toBe('2026-11-27T16:00:00.000Z');

    const bad = await runTool(tools, 'move_task', { task: '#1', list: 'Nowhere' }, 'k6');
    expect(bad.content).toMatch(/^Not done: Board Family has no list "Nowhere"/);

    expect(tools.get('delete_task')?.tier).toBe('L2');
    await runTool(tools, 'delete_task', { task: '#1' }, 'k7');
    expect(fake.state.cards.size).toBe(0);

    // Undo of a create deletes the card.
    const other = await runTool(tools, 'create_task', { board: 'Career', title: 'Update CV' }, 'k8');
    expect(cardsNamed(fake, 'Update CV')).toHaveLength(1);
    expect(await undo(tools, other.undo)).toContain('Deleted “Update CV”');
    expect(fake.state.cards.size).toBe(0);
    expect((await writeQueueDepth(opened.db)).pending).toBe(0);
  });

  it('queues writes while Planka is down and applies each exactly once when it returns', async () => {
    const { tasks, worker, tools } = build(opened.db, client);
    await tasks.list(); // bootstrapped while up
    await fake.down();
    const result = await runTool(tools, 'create_task', { board: 'Health', title: 'Book dentist' }, 'q1');
    expect(result.content).toContain('(queued, will add when Planka is back)');
    await runTool(tools, 'redate_task', { task: 'dentist', due: '2026-12-01' }, 'q2');
    expect(await worker.tick({ ignoreBackoff: true })).toBe(0);
    expect((await writeQueueDepth(opened.db)).pending).toBe(2);

    await fake.up();
    await worker.tick({ ignoreBackoff: true });
    await worker.tick({ ignoreBackoff: true });
    const cards = cardsNamed(fake, 'Book dentist');
    expect(cards).toHaveLength(1);
    expect(cards[0]?.dueDate).toBe('2026-12-01T16:00:00.000Z');
    expect((await writeQueueDepth(opened.db)).pending).toBe(0);
    expect(fake.requests.filter((request) => request.method === 'POST' && /\/cards$/.test(request.path))).toHaveLength(1);
  });

  it('does not create a second card when Planka created one but the answer was lost', async () => {
    let loseNextAnswer = true;
    const lossy: PlankaClient = {
      ...client,
      async createCard(listId, input) {
        const card = await client.createCard(listId, input);
        if (loseNextAnswer) {
          loseNextAnswer = false;
          throw new PlankaError('socket hang up', { kind: 'unreachable', operation: 'createCard' });
        }
        return card;
      },
    };
    const { tools, worker } = build(opened.db, lossy);
    const result = await runTool(tools, 'create_task', { board: 'Finance', title: 'Pay tax' }, 'c1');
    expect(result.content).toContain('queued');
    expect(cardsNamed(fake, 'Pay tax')).toHaveLength(1);
    await worker.tick({ ignoreBackoff: true });
    expect(cardsNamed(fake, 'Pay tax')).toHaveLength(1);
    const [task] = await listTasks(opened.db);
    expect(task?.plankaCardId).toBe(cardsNamed(fake, 'Pay tax')[0]?.id);
    expect((await writeQueueDepth(opened.db)).pending).toBe(0);
  });

  it('keeps tasks locally without Planka and pushes them once it is configured', async () => {
    const local = build(opened.db, undefined);
    const created = await runTool(local.tools, 'create_task', { board: 'Creative', title: 'Sketch logo', due: 'in 3 days' }, 'l1');
    expect(created.content).toContain('kept locally: Planka is not configured');
    await runTool(local.tools, 'move_task', { task: 'logo', list: 'Active' }, 'l2');
    await runTool(local.tools, 'create_task', { board: 'Creative', title: 'Scrapped idea' }, 'l3');
    await runTool(local.tools, 'delete_task', { task: 'Scrapped' }, 'l4');
    expect(fake.requests).toEqual([]);

    const configured = build(opened.db, client);
    await configured.worker.tick({ ignoreBackoff: true });
    const cards = [...fake.state.cards.values()];
    expect(cards.map((card) => `${card.name}@${listName(fake, card) ?? ''}`)).toEqual(['Sketch logo@Active']);
    expect(cards[0]?.dueDate).toBe('2026-11-25T16:00:00.000Z');
    expect((await writeQueueDepth(opened.db)).pending).toBe(0);
  });

  it('follows changes made in Planka: imports new cards, drops deleted ones', async () => {
    const { tasks, tools } = build(opened.db, client);
    await runTool(tools, 'create_task', { board: 'Career', title: 'Ask for feedback' }, 's1');
    const card = cardsNamed(fake, 'Ask for feedback')[0]!;
    await client.deleteCard(card.id);
    const inbox = [...fake.state.lists.values()].find((list) => list.boardId === card.boardId && list.name === 'Inbox')!;
    await client.createCard(inbox.id, { name: 'Made on the phone', dueDate: '2026-11-20T10:00:00.000Z' });
    const { tasks: open } = await tasks.list();
    expect(open.map((task) => task.title)).toEqual(['Made on the phone']);
  });

  it('a Done tap on an older /tasks list keeps what the owner changed in Planka meanwhile', async () => {
    const { tasks, tools } = build(opened.db, client);
    await runTool(tools, 'create_task', { board: 'Career', title: 'Write report', due: '2026-11-25' }, 'e1');
    const { tasks: shown } = await tasks.list(); // the /tasks message the owner taps later
    const task = shown[0]!;
    const card = cardsNamed(fake, 'Write report')[0]!;

    // In Planka's app: renamed, due date moved, description written.
    fake.editCard(card.id, { name: 'Write the annual report', dueDate: '2026-12-04T10:00:00.000Z', description: `Ask Sam for numbers\n\n[oz:${task.ref}]` });

    await tasks.change(task.id, { list: 'Done' }, 'e2'); // ✓ on the older message
    const after = fake.state.cards.get(card.id)!;
    expect(after.name).toBe('Write the annual report');
    expect(after.dueDate).toBe('2026-12-04T10:00:00.000Z');
    expect(after.description).toBe(`Ask Sam for numbers\n\n[oz:${task.ref}]`);
    expect(listName(fake, after)).toBe('Done');
    // Only the move was sent: no PATCH carried a name, description or due date.
    const patches = fake.requests.filter((r) => r.method === 'PATCH' && r.path === `/api/cards/${card.id}`);
    expect(patches.map((r) => Object.keys(r.body as object).filter((k) => ['name', 'description', 'dueDate'].includes(k)))).toEqual([[]]);
    // The local cache follows what Planka answered.
    const local = await tasks.get(task.id);
    expect([local.title, local.dueAt?.toISOString(), local.description, local.list, local.done]).toEqual(['Write the annual report', '2026-12-04T10:00:00.000Z', 'Ask Sam for numbers', 'Done', true]);

    // A snooze from the old list moves the date Planka has now, and sends only the date.
    await tasks.change(task.id, { dueAt: new Date('2026-12-05T10:00:00.000Z') }, 'e3');
    expect(fake.state.cards.get(card.id)?.name).toBe('Write the annual report');
    expect(fake.state.cards.get(card.id)?.dueDate).toBe('2026-12-05T10:00:00.000Z');
  });

  it('Undo of a rename or re-date restores exactly the field it saved, onto the card as Planka has it now', async () => {
    const { tools } = build(opened.db, client);
    await runTool(tools, 'create_task', { board: 'Career', title: 'Write report', due: '2026-11-25' }, 'u1');
    const card = cardsNamed(fake, 'Write report')[0]!;

    const renamed = await runTool(tools, 'rename_task', { task: '#1', title: 'Write the report' }, 'u2');
    expect(renamed.undo?.payload).toMatchObject({ fields: { title: 'Write report' }, set: { title: 'Write the report' } });
    expect(Object.keys((renamed.undo?.payload as { fields: object }).fields)).toEqual(['title']);
    // In Planka's app, after the rename: due date moved, card moved to another list, description written.
    fake.editCard(card.id, { dueDate: '2026-12-04T10:00:00.000Z', description: 'Ask Sam for numbers' });
    const inProgress = [...fake.state.lists.values()].find((list) => list.boardId === card.boardId && list.name === 'In Progress')!;
    card.listId = inProgress.id;
    const before = fake.requests.length;
    expect(await undo(tools, renamed.undo)).toMatch(/^Restored: #1 Write report/);
    const after = fake.state.cards.get(card.id)!;
    expect([after.name, after.dueDate, after.description?.startsWith('Ask Sam for numbers'), listName(fake, after)]).toEqual(['Write report', '2026-12-04T10:00:00.000Z', true, 'In Progress']);
    // The card was read before the write, and the only field sent was the name.
    const sent = fake.requests.slice(before).filter((r) => r.path === `/api/cards/${card.id}`);
    expect(sent[0]?.method).toBe('GET');
    const patches = sent.filter((r) => r.method === 'PATCH').map((r) => Object.keys(r.body as object).filter((k) => ['name', 'description', 'dueDate', 'listId', 'boardId'].includes(k)));
    expect(patches).toEqual([['name']]);

    const redated = await runTool(tools, 'redate_task', { task: '#1', due: '2026-12-10' }, 'u3');
    fake.editCard(card.id, { name: 'Write the annual report' });
    expect(await undo(tools, redated.undo)).toMatch(/Restored/);
    expect([fake.state.cards.get(card.id)?.name, fake.state.cards.get(card.id)?.dueDate]).toEqual(['Write the annual report', '2026-12-04T10:00:00.000Z']);

    // A field changed in Planka after Z's write is the owner's newer word: Undo keeps it and says so.
    const again = await runTool(tools, 'rename_task', { task: '#1', title: 'Report draft' }, 'u4');
    fake.editCard(card.id, { name: 'Report, final' });
    expect(await undo(tools, again.undo)).toBe('Nothing to undo: Kept the title (now “Report, final”): changed since.');
    expect(fake.state.cards.get(card.id)?.name).toBe('Report, final');
  });

  it('never writes a marker into a card the owner made by hand; the mapping stays local', async () => {
    const { tasks, tools } = build(opened.db, client);
    await tasks.list(); // bootstrap
    const inbox = [...fake.state.lists.values()].find((list) => list.name === 'Inbox' && fake.state.boards.get(list.boardId)?.name === 'Health')!;
    const handMade = await client.createCard(inbox.id, { name: 'Call the GP', description: 'Ask about the results' });
    await tasks.list(); // imported
    await runTool(tools, 'rename_task', { task: 'GP', title: 'Call the GP on Monday' }, 'h1');
    await runTool(tools, 'redate_task', { task: 'GP', due: 'tomorrow' }, 'h2');
    const task = await tasks.resolve('GP');
    await tasks.change(task.id, { description: 'Ask about the blood test' }, 'h3');
    await runTool(tools, 'complete_task', { task: 'GP' }, 'h4');
    const card = fake.state.cards.get(handMade.id)!;
    expect(card.name).toBe('Call the GP on Monday');
    expect(card.description).toBe('Ask about the blood test');
    expect(listName(fake, card)).toBe('Completed');
    expect(fake.requests.some((r) => JSON.stringify(r.body ?? '').includes('[oz:'))).toBe(false);
    // A card Z creates still carries one (it is how a create is found again after a crash).
    await runTool(tools, 'create_task', { board: 'Health', title: 'Book physio' }, 'h5');
    expect(cardsNamed(fake, 'Book physio')[0]?.description).toMatch(/^\[oz:[A-Za-z0-9_-]+\]$/);
  });

  it('gives the assistant the tasks that match the question or are due soon', async () => {
    const { tools } = build(opened.db, client);
    await runTool(tools, 'create_task', { board: 'Family', title: 'Renew passport' }, 'x1');
    await runTool(tools, 'create_task', { board: 'Finance', title: 'Pay rent', due: 'tomorrow' }, 'x2');
    await runTool(tools, 'create_task', { board: 'Creative', title: 'Paint the fence', due: '2027-06-01' }, 'x3');
    const provider = tasksContextProvider({ db: opened.db, log: silentLogger(), timeZone: ZONE, now: () => NOW });
    const gathered = await provider.gather('when does my passport expire?', 'chat');
    expect(gathered.items.map((item) => item.text)).toEqual([
      'Task #1 "Renew passport" on Family / Inbox',
      'Task #2 "Pay rent" on Finance / Inbox, due Mon 23 Nov 17:00',
    ]);
    expect(gathered.items.every((item) => item.source === 'task')).toBe(true);
  });

  it('uses the structure from the board.structure preference, and falls back on a broken one', async () => {
    await setPreference(opened.db, 'board.structure', 'Home: Todo > Doing > Done*');
    await setPreference(opened.db, 'board.project', 'Life');
    const { tasks } = build(opened.db, client);
    await tasks.list();
    expect([...fake.state.projects.values()].map((p) => p.name)).toEqual(['Life']);
    expect([...fake.state.boards.values()].map((b) => b.name)).toEqual(['Home']);
    await setPreference(opened.db, 'board.structure', 'nonsense');
    expect((await tasks.structure()).boards).toHaveLength(5);
  });
});

async function queueRow(db: Db) {
  return db.selectFrom('card_write_queue').select(['status', 'attempts', 'retries', 'next_attempt_at']).orderBy('id').executeTakeFirstOrThrow();
}

describe('permanent Planka refusals', () => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let fake: FakePlanka | undefined;

  beforeEach(async () => {
    database = await createTestDatabase('pglite');
    opened = await openDatabase(database.settings, silentLogger());
    await migrateToLatest(opened.db);
  });

  afterEach(async () => {
    expect(fake?.unexpected()).toEqual([]);
    await fake?.close();
    await opened.close();
    await database.drop();
  });

  it('a wrong password is reported as such, with the fix, and retried with growing waits, not every 2 s', async () => {
    fake = await startFakePlanka({ users: [{ username: 'owner', password: 'right-password', termsAccepted: true }] });
    const auth: PlankaAuth = { kind: 'password', username: 'owner', password: 'wrong-password' };
    const client = createPlankaClient({ baseUrl: fake.url, auth, timeoutMs: 5_000, log: silentLogger() });
    const { tasks, tools, worker } = build(opened.db, client, 'password');
    const result = await runTool(tools, 'create_task', { board: 'Career', title: 'Ship it' }, 'w1');
    expect(result.content).not.toContain('queued, will add when Planka is back');
    expect(result.content).toContain('not on the board yet: Planka rejected the username or password. Fix: check PLANKA_USERNAME and PLANKA_PASSWORD');
    expect((await tasks.list()).note).toMatch(/^Planka rejected the username or password\. Fix: check PLANKA_USERNAME and PLANKA_PASSWORD.*This is my local copy\.$/);

    const first = await queueRow(opened.db);
    expect(first).toMatchObject({ status: 'pending', retries: 1 });
    expect(first.next_attempt_at.getTime() - NOW.getTime()).toBeGreaterThanOrEqual(30_000);
    const logins = () => fake!.requests.filter((r) => r.path === '/api/access-tokens').length;
    const before = logins();
    await worker.tick(); // not due yet: Planka is not asked again
    expect(logins()).toBe(before);
    await worker.tick({ ignoreBackoff: true });
    await worker.tick({ ignoreBackoff: true });
    const third = await queueRow(opened.db);
    expect(third.retries).toBe(3);
    expect(third.next_attempt_at.getTime() - NOW.getTime()).toBeGreaterThanOrEqual(120_000);
    expect(fake.state.cards.size).toBe(0);
  });

  it('a Board User (Planka answers 404 to creating the project) is told it needs the Project Owner or Admin role; the write is kept', async () => {
    fake = await startFakePlanka({ apiKey: API_KEY, apiKeyRole: 'boardUser' });
    const client = createPlankaClient({ baseUrl: fake.url, auth: { kind: 'api-key', apiKey: API_KEY }, timeoutMs: 5_000, log: silentLogger() });
    const { tasks, tools, worker } = build(opened.db, client);
    const result = await runTool(tools, 'create_task', { board: 'Career', title: 'Ship it' }, 'r1');
    expect(result.content).toContain('not on the board yet: this Planka user may not create projects. Fix: this Planka user needs the Project Owner or Admin role');
    expect((await tasks.list()).note).toContain('needs the Project Owner or Admin role');
    // A bootstrap failure counts as a failed try (the wait grows), but the create never reached Planka.
    await worker.tick({ ignoreBackoff: true });
    expect(await queueRow(opened.db)).toMatchObject({ status: 'pending', attempts: 0, retries: 2 });

    // The owner gives the user the role: the kept write lands.
    for (const user of fake.state.users.values()) user.role = 'projectOwner';
    await worker.tick({ ignoreBackoff: true });
    expect(cardsNamed(fake, 'Ship it')).toHaveLength(1);
    expect((await queueRow(opened.db)).status).toBe('done');
  });
});

describe('password auth', () => {
  it('logs in (accepting the terms), and logs in again after a 401', async () => {
    const database = await createTestDatabase('pglite');
    const opened = await openDatabase(database.settings, silentLogger());
    await migrateToLatest(opened.db);
    const fake = await startFakePlanka({ users: [{ username: 'owner', password: 'pw-123456' }] });
    try {
      const auth: PlankaAuth = { kind: 'password', username: 'owner', password: 'pw-123456' };
      const client = createPlankaClient({ baseUrl: fake.url, auth, timeoutMs: 5_000, log: silentLogger() });
      const { tools } = build(opened.db, client);
      await runTool(tools, 'create_task', { board: 'Career', title: 'First' }, 'p1');
      fake.expireTokens();
      const second = await runTool(tools, 'create_task', { board: 'Career', title: 'Second' }, 'p2');
      expect(second.content).not.toContain('queued');
      expect(fake.state.cards.size).toBe(2);
      expect(fake.requests.filter((r) => r.path === '/api/access-tokens' && r.method === 'POST')).toHaveLength(2);
      expect(fake.requests.filter((r) => r.path === '/api/access-tokens/accept-terms')).toHaveLength(1);
      expect(fake.unexpected()).toEqual([]);
    } finally {
      await fake.close();
      await opened.close();
      await database.drop();
    }
  });
});
