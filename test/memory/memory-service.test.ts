import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { migrateToLatest, openDatabase, type Db, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { setPreference } from '../../src/preferences/index.js';
import { memoryContextProvider, MemoryService, DEDUPE_PREFERENCE } from '../../src/memory/index.js';
import { loadVectors, streamVectors } from '../../src/memory/memories-repo.js';
import { registerMemoryTools } from '../../src/memory/memory-tools.js';
import { ToolRegistry } from '../../src/tools/index.js';
import { createEmbeddedVectorStore, createQdrantStore, type VectorStore } from '../../src/memory/vector/index.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/qdrant.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';
import { fakeEmbedder, modelMissingError } from './fake-embedder.js';

type StoreKind = 'embedded' | 'qdrant';
const cases = databaseKinds().flatMap((db) => (['embedded', 'qdrant'] as const).map((store) => [db, store] as const));

describe.each(cases)('memory service on %s with the %s store', (dbKind, storeKind: StoreKind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let db: Db;
  let qdrant: FakeQdrant | undefined;
  let clock: Date;
  let notes: string[];
  const services: MemoryService[] = [];

  beforeEach(async () => {
    database = await createTestDatabase(dbKind);
    opened = await openDatabase(database.settings, silentLogger());
    db = opened.db;
    const migrated = await migrateToLatest(db);
    expect(migrated.ok).toBe(true);
    qdrant = storeKind === 'qdrant' ? await startFakeQdrant({ apiKey: 'k' }) : undefined;
    clock = new Date('2026-11-03T10:00:00Z');
    notes = [];
  });

  afterEach(async () => {
    for (const service of services.splice(0)) await service.stop();
    const unexpected = qdrant?.unexpected() ?? [];
    await qdrant?.close();
    await opened.close();
    await database.drop();
    expect(unexpected.map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  function makeStore(model: string): VectorStore {
    if (qdrant) return createQdrantStore({ url: qdrant.url, apiKey: 'k', collection: 'memories', timeoutMs: 2000, log: silentLogger() });
    return createEmbeddedVectorStore({
      loadAll: () => streamVectors(db, model, clock),
      loadVectors: (ids) => loadVectors(db, ids, model, clock),
      log: silentLogger(),
    });
  }

  function makeService(embedder = fakeEmbedder()): { service: MemoryService; store: VectorStore; embedder: typeof embedder } {
    const store = makeStore(embedder.modelName);
    const service = new MemoryService({
      db,
      embedder,
      store,
      log: silentLogger(),
      now: () => clock,
      retry: { firstDelayMs: 20, maxDelayMs: 80, alertAfterMs: 0 },
      // Retries of a failed model load wait a minute: only the files appearing (polled every 20 ms) or a working embed start them sooner.
      backlog: { firstDelayMs: 60_000, maxDelayMs: 60_000, pollMs: 20 },
      notifyOwner: async (text) => {
        notes.push(text);
      },
    });
    services.push(service);
    service.start();
    return { service, store, embedder };
  }

  function qdrantPoints(): string[] {
    return [...(qdrant?.collections.get('memories')?.points.keys() ?? [])].map((key) => key.replace(/^u:/, '')).sort();
  }

  it('adds memories with provenance and finds the relevant one first', async () => {
    const { service, store } = makeService();
    const passport = await service.add({ text: 'Passport expires in March 2027', source: 'command', sourceRef: 'telegram:1:10' });
    clock = new Date('2026-11-04T10:00:00Z');
    await service.add({ text: 'Anna likes yellow tulips', source: 'chat', sourceRef: 'update:5#0:remember' });
    clock = new Date('2026-11-05T10:00:00Z');
    await service.add({ text: 'Dentist appointment on Friday at nine', source: 'email', sourceRef: 'gmail:abc' });
    expect(passport).toMatchObject({ kind: 'added', indexed: true });

    const { hits, note } = await service.search('when does the passport expire', { limit: 3 });
    expect(note).toBeUndefined();
    expect(hits[0]?.memory.text).toBe('Passport expires in March 2027');
    expect(hits[0]?.memory).toMatchObject({ source: 'command', sourceRef: 'telegram:1:10', embeddingModel: 'fake/bag-of-words' });
    expect(hits[0]?.memory.createdAt.toISOString()).toBe('2026-11-03T10:00:00.000Z');
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);

    const tulips = await service.search('tulips for Anna', { limit: 5, minScore: 0.3 });
    expect(tulips.hits.map((h) => h.memory.source)).toEqual(['chat']);
    expect(await store.count()).toBe(3);
    if (qdrant) expect(qdrantPoints()).toHaveLength(3);

    const page = await service.list(0, 2);
    expect(page.total).toBe(3);
    expect(page.items.map((m) => m.source)).toEqual(['email', 'chat']);
    expect((await service.list(2, 2)).items.map((m) => m.source)).toEqual(['command']);
  });

  it('updates a near-duplicate instead of adding a second memory, and says how similar it was', async () => {
    const { service, store } = makeService();
    const first = await service.add({ text: 'My passport expires in March 2027', source: 'command' });
    clock = new Date('2026-11-05T10:00:00Z');
    const second = await service.add({ text: 'Passport expires March 2027!', source: 'chat', sourceRef: 'update:9' });
    expect(second.kind).toBe('updated');
    if (second.kind !== 'updated') return;
    expect(second.memory.id).toBe(first.memory.id);
    expect(second.similarity).toBeGreaterThan(0.92);
    expect(second.previous.text).toBe('My passport expires in March 2027');
    expect(second.memory).toMatchObject({ text: 'Passport expires March 2027!', source: 'chat', sourceRef: 'update:9' });
    expect(second.memory.createdAt.toISOString()).toBe('2026-11-03T10:00:00.000Z');
    expect(second.memory.updatedAt.toISOString()).toBe('2026-11-05T10:00:00.000Z');
    expect((await service.list(0, 10)).total).toBe(1);
    expect(await store.count()).toBe(1);

    // A different fact on the same topic is kept separately.
    expect((await service.add({ text: 'Passport photos are in the blue folder', source: 'command' })).kind).toBe('added');
    // The owner can raise the threshold to 1: only identical word sets merge.
    await setPreference(db, DEDUPE_PREFERENCE, '1');
    expect((await service.add({ text: 'passport expires march 2027 soon', source: 'command' })).kind).toBe('added');
  });

  it('forgets from the database and the vector store', async () => {
    const { service, store } = makeService();
    const keep = await service.add({ text: 'Anna likes yellow tulips', source: 'command' });
    const drop = await service.add({ text: 'Gate code is 4711', source: 'command' });
    expect(await service.forget(drop.memory.id)).toMatchObject({ id: drop.memory.id });
    expect(await service.get(drop.memory.id)).toBeUndefined();
    expect(await store.count()).toBe(1);
    if (qdrant) expect(qdrantPoints()).toEqual([keep.memory.id]);
    expect((await service.search('gate code', { limit: 5 })).hits.map((h) => h.memory.id)).not.toContain(drop.memory.id);
    expect(await service.forget(drop.memory.id)).toBeUndefined();
    expect(await service.forget('not-an-id')).toBeUndefined();
  });

  it('survives a restart and rebuilds the index from the database on reindex (also after a model change)', async () => {
    const first = makeService();
    await first.service.add({ text: 'Passport expires in March 2027', source: 'command' });
    await first.service.add({ text: 'Anna likes yellow tulips', source: 'command' });
    await first.service.stop();

    const again = makeService();
    expect((await again.service.search('tulips', { limit: 1 })).hits[0]?.memory.text).toBe('Anna likes yellow tulips');

    await again.store.clear();
    expect(await again.store.count()).toBe(0);
    expect(await again.service.reindex()).toEqual({ indexed: 2, reembedded: 0, store: storeKind });
    expect(await again.store.count()).toBe(2);
    if (qdrant) expect(qdrantPoints()).toHaveLength(2);

    // Rows written by another model are re-embedded with the configured one.
    await db.updateTable('memories').set({ embedding_model: 'old/model' }).execute();
    const result = await again.service.reindex();
    expect(result).toEqual({ indexed: 2, reembedded: 2, store: storeKind });
    const models = await db.selectFrom('memories').select('embedding_model').execute();
    expect(models.map((m) => m.embedding_model)).toEqual(['fake/bag-of-words', 'fake/bag-of-words']);
    expect((await again.service.search('passport', { limit: 1 })).hits[0]?.memory.text).toBe('Passport expires in March 2027');
  });

  it('excludes expired memories and prunes them', async () => {
    const { service, store } = makeService();
    await service.add({ text: 'Parking ticket 17 is valid today', source: 'routine', expiresAt: new Date('2026-11-03T18:00:00Z') });
    await service.add({ text: 'Anna likes yellow tulips', source: 'command' });
    expect((await service.search('parking ticket', { limit: 5, minScore: 0.3 })).hits).toHaveLength(1);
    clock = new Date('2026-11-04T00:00:00Z');
    expect((await service.search('parking ticket', { limit: 5, minScore: 0.3 })).hits).toHaveLength(0);
    expect((await service.list(0, 10)).total).toBe(1);
    expect(await service.pruneExpired()).toBe(1);
    expect(await store.count()).toBe(1);
    expect(await db.selectFrom('memories').select('id').execute()).toHaveLength(1);
  });

  it('remember sets expiry by the service clock, so a pinned clock and the real date never mix', async () => {
    const { service } = makeService();
    const tools = new ToolRegistry();
    registerMemoryTools(tools, service, 'UTC');
    await tools.get('remember')?.run({ text: 'Parking ticket 18 is valid today', expires_in_days: 1 }, { idempotencyKey: 'update:1#1:remember', chatId: 1 });
    const [row] = await db.selectFrom('memories').select('expires_at').execute();
    expect(row?.expires_at?.toISOString()).toBe('2026-11-04T10:00:00.000Z');
    clock = new Date('2026-11-04T11:00:00Z');
    expect((await service.search('parking ticket', { limit: 5, minScore: 0.3 })).hits).toHaveLength(0);
  });

  it('gives chat context with dates, and matches by words with a note when the model is missing', async () => {
    const { service, embedder } = makeService();
    const added = await service.add({ text: 'Anna likes yellow tulips and hates roses', source: 'command' });
    const provider = memoryContextProvider(service, 'Europe/Berlin', silentLogger());
    const context = await provider.gather('Does Anna like tulips or roses?', 'chat');
    expect(context.note).toBeUndefined();
    expect(context.items).toEqual([
      expect.objectContaining({ source: 'memory', label: 'Memory (2026-11-03): Anna likes yellow tulips and hates roses', ref: added.memory.id }),
    ]);
    expect(context.items[0]?.text).toContain('remembered 2026-11-03');

    embedder.failWith = modelMissingError();
    const degraded = await provider.gather('Anna flowers', 'deep-think');
    expect(degraded.items).toEqual([expect.objectContaining({ label: 'Memory (2026-11-03, matched by words): Anna likes yellow tulips and hates roses', ref: added.memory.id })]);
    expect(degraded.note).toContain('The embedding model is unavailable (model files missing in /nowhere/models/Xenova/all-MiniLM-L6-v2');
    expect(degraded.note).toContain('matched by their words, not their meaning');
    expect(await provider.gather('Bob and his bicycle', 'chat')).toMatchObject({ items: [] });
    const saved = await service.add({ text: 'x', source: 'command' });
    expect(saved).toMatchObject({ kind: 'added', notSearchable: 'model files missing in /nowhere/models/Xenova/all-MiniLM-L6-v2' });
    expect((await service.list(0, 10)).total).toBe(2);
  });

  it('stores a memory sent while the model files are missing, shows it not searchable yet, matches it by words, and embeds it as soon as the files appear', async () => {
    const { service, embedder } = makeService();
    const older = await service.add({ text: 'Anna likes yellow tulips', source: 'command' });
    embedder.missingFiles = ['config.json', 'onnx/model.onnx'];
    clock = new Date('2026-11-04T10:00:00Z');
    const outcome = await service.add({ text: 'My dentist is Dr. Smith', source: 'command', sourceRef: 'telegram:1:2' });
    expect(outcome).toMatchObject({ kind: 'added', indexed: false, notSearchable: 'model files missing in /models/fake/bag-of-words' });
    expect(outcome.memory).toMatchObject({ text: 'My dentist is Dr. Smith', searchable: false });
    const listed = await service.list(0, 10);
    expect(listed.total).toBe(2);
    expect(listed.items.map((m) => [m.text, m.searchable])).toEqual([
      ['My dentist is Dr. Smith', false],
      ['Anna likes yellow tulips', true],
    ]);
    expect(await service.stats()).toEqual({ live: 2, unindexed: 0, unembedded: 1 });

    // Without the model every memory is matched by words, and the note says so.
    const byWords = await service.search("who is my dentist's doctor?", { limit: 5, minScore: 0.3 });
    expect(byWords.hits.map((h) => [h.memory.id, h.match])).toEqual([[outcome.memory.id, 'words']]);
    expect(byWords.note).toMatch(/embedding model is unavailable \(model files missing in \/models\/fake\/bag-of-words; see \/status\)/);
    expect((await service.search('tulips', { limit: 5 })).hits.map((h) => h.memory.id)).toEqual([older.memory.id]);

    // The files appear: the waiting memory is embedded without anyone asking, and the owner hears once.
    embedder.missingFiles = [];
    await vi.waitFor(async () => expect(await service.stats()).toEqual({ live: 2, unindexed: 0, unembedded: 0 }), { timeout: 30_000, interval: 20 });
    expect((await service.get(outcome.memory.id))?.searchable).toBe(true);
    const byMeaning = await service.search('dentist Smith', { limit: 1 });
    expect(byMeaning.note).toBeUndefined();
    expect(byMeaning.hits).toEqual([expect.objectContaining({ match: 'meaning', memory: expect.objectContaining({ id: outcome.memory.id }) })]);
    await vi.waitFor(() => expect(notes).toContain('The embedding model is available now: 1 memory that was saved while it was missing is searchable.'), { timeout: 30_000 });
    if (qdrant) await vi.waitFor(() => expect(qdrantPoints()).toEqual([older.memory.id, outcome.memory.id].sort()), { timeout: 30_000 });
  });

  it('matches not-yet-embedded memories by words after the matches by meaning, and says so', async () => {
    const { service, embedder } = makeService();
    const embedded = await service.add({ text: 'The dentist appointment is on Friday', source: 'command' });
    embedder.missingFiles = ['onnx/model.onnx'];
    const waiting = await service.add({ text: 'My dentist is Dr. Smith', source: 'command' });
    await service.stop(); // keep the backlog from embedding it during the search below
    embedder.missingFiles = [];
    const { hits, note } = await service.search('dentist', { limit: 5, minScore: 0.2 });
    expect(hits.map((h) => [h.memory.id, h.match])).toEqual([
      [embedded.memory.id, 'meaning'],
      [waiting.memory.id, 'words'],
    ]);
    expect(note).toBe('One memory is not searchable yet (waiting for the embedding model) and matched by words.');
  });

  it('keeps waiting memories across a restart and embeds them when the next run has the model', async () => {
    const first = makeService();
    first.embedder.missingFiles = ['onnx/model.onnx'];
    const saved = await first.service.add({ text: 'Gate code is 4711', source: 'command' });
    const alsoSaved = await first.service.add({ text: 'Bins go out on Tuesday evening', source: 'command' });
    expect([saved, alsoSaved].map((o) => o.kind === 'added' && o.notSearchable !== undefined)).toEqual([true, true]);
    await first.service.stop();

    const { service } = makeService();
    await vi.waitFor(async () => expect((await service.stats()).unembedded).toBe(0), { timeout: 30_000, interval: 20 });
    expect((await service.search('gate code', { limit: 1 })).hits[0]).toMatchObject({ match: 'meaning', memory: { id: saved.memory.id } });
    expect((await service.list(0, 5)).items.every((m) => m.searchable)).toBe(true);
  });

  it('a pass that meets a memory reworded while it was being embedded looks again before saying nothing is left', async () => {
    const { service, embedder } = makeService();
    embedder.missingFiles = ['config.json'];
    const waiting = await service.add({ text: 'Bins go out on Monday', source: 'command' });
    embedder.missingFiles = [];
    // The owner rewords it after the pass read the old text and before its vector is stored.
    const embed = embedder.embed.bind(embedder);
    embedder.embed = async (texts) => {
      const vectors = await embed(texts);
      if (texts.includes('Bins go out on Monday')) {
        await db.updateTable('memories').set({ text: 'Bins go out on Tuesday evening' }).where('id', '=', waiting.memory.id).execute();
      }
      return vectors;
    };
    expect(await service.flushEmbeddings()).toBe(true);
    expect((await service.list(0, 5)).items.map((m) => [m.text, m.searchable])).toEqual([['Bins go out on Tuesday evening', true]]);
  });

  it('never embeds a waiting memory that was forgotten or reworded meanwhile', async () => {
    const { service, embedder } = makeService();
    embedder.missingFiles = ['config.json'];
    const doomed = await service.add({ text: 'Gate code is 4711', source: 'command' });
    const reworded = await service.add({ text: 'Bins go out on Monday', source: 'command' });
    expect(await service.forget(doomed.memory.id)).toBeDefined();
    await service.restore(reworded.memory.id, { text: 'Bins go out on Tuesday evening', source: 'command', sourceRef: null, expiresAt: null });
    embedder.missingFiles = [];
    expect(await service.flushEmbeddings()).toBe(true);
    expect((await service.list(0, 5)).items.map((m) => [m.text, m.searchable])).toEqual([['Bins go out on Tuesday evening', true]]);
    expect((await service.search('Bins go out on Tuesday evening', { limit: 1 })).hits[0]?.score).toBeCloseTo(1, 5);
  });

  it.runIf(storeKind === 'qdrant')('saves while Qdrant is down, searches the database instead, and indexes in the background once it is back', async () => {
    const { service } = makeService();
    const before = await service.add({ text: 'Anna likes yellow tulips', source: 'command' });
    const doomed = await service.add({ text: 'Gate code is 4711', source: 'command' });
    await qdrant!.down();

    const saved = await service.add({ text: 'Passport expires in March 2027', source: 'command' });
    expect(saved).toMatchObject({ kind: 'added', indexed: false });
    expect(await service.get(saved.memory.id)).toMatchObject({ indexed: false });
    expect(await service.stats()).toEqual({ live: 3, unindexed: 1, unembedded: 0 });

    const found = await service.search('passport expiry', { limit: 2 });
    expect(found.note).toMatch(/Qdrant is unreachable .*searched the database/);
    expect(found.hits[0]?.memory.id).toBe(saved.memory.id);

    expect(await service.forget(doomed.memory.id)).toBeDefined();
    await vi.waitFor(() => expect(notes.some((n) => n.startsWith('Qdrant has been unreachable'))).toBe(true), { timeout: 5000 });

    await qdrant!.up();
    await vi.waitFor(async () => expect(await service.stats()).toEqual({ live: 2, unindexed: 0, unembedded: 0 }), { timeout: 5000 });
    expect(qdrantPoints()).toEqual([before.memory.id, saved.memory.id].sort());
    await vi.waitFor(() => expect(notes.at(-1)).toMatch(/reachable again/), { timeout: 5000 });
    expect(notes.filter((n) => n.startsWith('Qdrant has been unreachable'))).toHaveLength(1);
    expect((await service.search('passport expiry', { limit: 1 })).note).toBeUndefined();
  });
});
