import { silentLogger } from '../../src/log/index.js';
import { createEmbeddedVectorStore, createQdrantStore, type IndexEntry } from '../../src/memory/vector/index.js';
import { startFakeQdrant } from '../fakes/qdrant.js';
import { describeVectorStoreContract } from './vector-contract.js';

describeVectorStoreContract('embedded, floats resident', async () => ({
  store: createEmbeddedVectorStore({ loadAll: () => [], log: silentLogger() }),
  dispose: async () => {},
}));

describeVectorStoreContract('embedded, re-rank from a loader (database stand-in)', async () => {
  // Plays the database: the repository writes rows, then tells the store.
  const rows = new Map<string, Float32Array>();
  const inner = createEmbeddedVectorStore({
    loadAll: () => [],
    loadVectors: async (ids) => ids.flatMap((id): IndexEntry[] => {
      const vector = rows.get(id);
      return vector ? [{ id, vector }] : [];
    }),
    log: silentLogger(),
  });
  return {
    store: {
      ...inner,
      async upsert(points) {
        await inner.upsert(points);
        for (const p of points) rows.set(p.id.toLowerCase(), p.vector);
      },
    },
    dispose: async () => {},
  };
});

describeVectorStoreContract('embedded, JavaScript scan', async () => ({
  store: createEmbeddedVectorStore({ loadAll: () => [], log: silentLogger(), kernel: 'js' }),
  dispose: async () => {},
}));

describeVectorStoreContract('qdrant (fake server, real SDK)', async () => {
  const fake = await startFakeQdrant({ apiKey: 'test-key' });
  const store = createQdrantStore({ url: fake.url, apiKey: 'test-key', collection: 'memories', timeoutMs: 5000, log: silentLogger() });
  return {
    store,
    dispose: async () => {
      const unexpected = fake.unexpected();
      await fake.close();
      if (unexpected.length > 0) throw new Error(`unexpected requests: ${JSON.stringify(unexpected.map((r) => `${r.method} ${r.path}`))}`);
    },
  };
});
