import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/index.js';
import { createQdrantStore, VectorStoreError } from '../../src/memory/vector/index.js';
import { startFakeQdrant, type FakeQdrant } from '../fakes/qdrant.js';
import { axisVector, point } from './vector-contract.js';

const fakes: FakeQdrant[] = [];

async function fake(options: { apiKey?: string } = {}): Promise<FakeQdrant> {
  const started = await startFakeQdrant(options);
  fakes.push(started);
  return started;
}

afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
});

function store(f: FakeQdrant, apiKey?: string) {
  return createQdrantStore({ url: f.url, apiKey, collection: 'memories', timeoutMs: 5000, log: silentLogger() });
}

async function raw(f: FakeQdrant, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${f.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, text, json: (): unknown => JSON.parse(text) };
}

describe('qdrant store against the fake', () => {
  it('ensureReady creates a Cosine collection and both payload indexes, sending the API key', async () => {
    const f = await fake({ apiKey: 'k' });
    await store(f, 'k').ensureReady(384);
    const sent = f.requests.map((r) => `${r.method} ${r.path}`);
    expect(sent).toEqual([
      'GET /collections/memories/exists',
      'PUT /collections/memories',
      'GET /collections/memories',
      'PUT /collections/memories/index',
      'PUT /collections/memories/index',
    ]);
    expect(f.requests[1]?.body).toEqual({ vectors: { size: 384, distance: 'Cosine' } });
    expect(f.requests.slice(3).map((r) => r.body)).toEqual([
      { field_name: 'memoryId', field_schema: 'keyword' },
      { field_name: 'createdAt', field_schema: 'datetime' },
    ]);
    expect(f.requests.every((r) => r.headers['api-key'] === 'k')).toBe(true);
    expect(f.collections.get('memories')?.payloadSchema.get('createdAt')).toBe('datetime');
  });

  it('a create that loses a race (409) still succeeds', async () => {
    const f = await fake();
    const a = store(f);
    const b = store(f);
    await Promise.all([a.ensureReady(8), b.ensureReady(8)]);
    const creates = f.requests.filter((r) => r.method === 'PUT' && r.path === '/collections/memories');
    expect(creates.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(f.unexpected()).toEqual([]);
  });

  it('an existing collection of another size is rejected', async () => {
    const f = await fake();
    await store(f).ensureReady(8);
    await expect(store(f).ensureReady(16)).rejects.toMatchObject({ kind: 'rejected', operation: 'ensureReady' });
  });

  it('upsert waits, search asks for no payload and passes the threshold', async () => {
    const f = await fake();
    const s = store(f);
    await s.ensureReady(8);
    const id = randomUUID();
    await s.upsert([point(id, axisVector(0))]);
    await s.search(axisVector(0), 3, 0.25);
    const upsert = f.requests.find((r) => r.method === 'PUT' && r.path === '/collections/memories/points');
    expect(upsert?.query['wait']).toBe('true');
    expect(upsert?.body).toMatchObject({ points: [{ id, payload: { memoryId: `m-${id.slice(0, 8)}`, source: 'test' } }] });
    const query = f.requests.find((r) => r.path === '/collections/memories/points/query');
    expect(query?.body).toMatchObject({ limit: 3, score_threshold: 0.25, with_payload: false });
  });

  it('clear deletes every point but keeps the collection and its indexes', async () => {
    const f = await fake();
    const s = store(f);
    await s.ensureReady(8);
    await s.upsert([point(randomUUID(), axisVector(0))]);
    await s.clear();
    expect(f.collections.get('memories')?.points.size).toBe(0);
    expect(f.collections.get('memories')?.payloadSchema.size).toBe(2);
    const del = f.requests.find((r) => r.path === '/collections/memories/points/delete');
    expect(del?.body).toEqual({ filter: {} });
    expect(del?.query['wait']).toBe('true');
  });

  it('Qdrant down → unreachable; back up → works again', async () => {
    const f = await fake();
    const s = store(f);
    await s.ensureReady(8);
    await f.down();
    const error = await s.count().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VectorStoreError);
    expect(error).toMatchObject({ kind: 'unreachable', store: 'qdrant', operation: 'count' });
    expect(await s.probe()).toMatchObject({ ok: false });
    await f.up();
    expect(await s.count()).toBe(0);
  });

  it('a missing collection is rejected with Qdrant’s message', async () => {
    const f = await fake();
    const error = await store(f).search(axisVector(0), 1).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rejected' });
    expect(String(error)).toContain("Not found: Collection `memories` doesn't exist!");
  });

  it('a wrong API key is rejected and probe says so, although GET / needs no key', async () => {
    const f = await fake({ apiKey: 'right' });
    const s = store(f, 'wrong');
    const error = await s.ensureReady(8).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rejected' });
    expect(String(error)).toContain('QDRANT_API_KEY');
    const probe = await s.probe();
    expect(probe.ok).toBe(false);
    expect(probe.detail).toContain('Invalid API key or JWT');
  });

  it('probe reports the server version', async () => {
    const f = await fake();
    const s = store(f);
    await s.ensureReady(8);
    expect(await s.probe()).toEqual({ ok: true, detail: `qdrant ${f.version}, collection memories exists` });
  });
});

describe('fake qdrant wire behaviour', () => {
  it('rejects a non-UUID string id with Qdrant’s 400 message', async () => {
    const f = await fake();
    await raw(f, 'PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } });
    const res = await raw(f, 'PUT', '/collections/c/points?wait=true', { points: [{ id: 'memory-1', vector: [1, 0] }] });
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({
      status: { error: expect.stringContaining('value memory-1 is not a valid point ID, valid values are either an unsigned integer or a UUID') },
    });
    expect(f.collections.get('c')?.points.size).toBe(0);
  });

  it('accepts unsigned integers and UUIDs, rejects a size mismatch', async () => {
    const f = await fake();
    await raw(f, 'PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } });
    const good = await raw(f, 'PUT', '/collections/c/points?wait=true', { points: [{ id: 7, vector: [1, 0] }, { id: randomUUID(), vector: [0, 1] }] });
    expect(good.json()).toMatchObject({ result: { status: 'completed' }, status: 'ok' });
    const bad = await raw(f, 'PUT', '/collections/c/points', { points: [{ id: 8, vector: [1, 0, 0] }] });
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ status: { error: 'Wrong input: Vector dimension error: expected dim: 2, got 3' } });
  });

  it('409 on a second create, 404 on a missing collection, result:false deleting one', async () => {
    const f = await fake();
    await raw(f, 'PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } });
    const again = await raw(f, 'PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } });
    expect(again.status).toBe(409);
    expect(again.json()).toMatchObject({ status: { error: 'Wrong input: Collection `c` already exists!' } });
    const missing = await raw(f, 'POST', '/collections/nope/points/count', {});
    expect(missing.status).toBe(404);
    expect((await raw(f, 'DELETE', '/collections/nope')).json()).toMatchObject({ result: false, status: 'ok' });
  });

  it('query scores cosine on normalised vectors and omits payload unless asked', async () => {
    const f = await fake();
    await raw(f, 'PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } });
    await raw(f, 'PUT', '/collections/c/points?wait=true', { points: [{ id: 1, vector: [3, 3], payload: { a: 1 } }, { id: 2, vector: [0, 5] }] });
    const res = await raw(f, 'POST', '/collections/c/points/query', { query: [2, 0], limit: 5 });
    const body = res.json();
    expect(body).toMatchObject({ result: { points: [{ id: 1, version: 1 }, { id: 2 }] } });
    expect(JSON.stringify(body)).not.toContain('payload');
    const withPayload = await raw(f, 'POST', '/collections/c/points/query', { query: [2, 0], limit: 1, with_payload: true, score_threshold: 0.5 });
    expect(withPayload.json()).toMatchObject({ result: { points: [{ id: 1, payload: { a: 1 } }] } });
  });

  it('checks the API key except on GET /, with Qdrant’s plain-text 401s', async () => {
    const f = await fake({ apiKey: 'secret' });
    expect((await raw(f, 'GET', '/')).status).toBe(200);
    const none = await raw(f, 'GET', '/collections/c/exists');
    expect(none).toMatchObject({ status: 401, text: 'Must provide an API key or an Authorization bearer token' });
    expect(await raw(f, 'GET', '/collections/c/exists', undefined, { 'api-key': 'nope' })).toMatchObject({ status: 401, text: 'Invalid API key or JWT' });
    expect((await raw(f, 'GET', '/collections/c/exists', undefined, { authorization: 'Bearer secret' })).status).toBe(200);
  });

  it('records an unknown route as unexpected and answers 404', async () => {
    const f = await fake();
    const res = await raw(f, 'POST', '/collections/c/points/search', { vector: [1, 0], limit: 1 });
    expect(res.status).toBe(404);
    expect(f.unexpected().map((r) => `${r.method} ${r.path}`)).toEqual(['POST /collections/c/points/search']);
  });

  it('scroll pages through points in id order', async () => {
    const f = await fake();
    await raw(f, 'PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } });
    await raw(f, 'PUT', '/collections/c/points?wait=true', { points: [3, 1, 2].map((id) => ({ id, vector: [1, id], payload: { id } })) });
    const first = await raw(f, 'POST', '/collections/c/points/scroll', { limit: 2 });
    expect(first.json()).toMatchObject({ result: { points: [{ id: 1, payload: { id: 1 } }, { id: 2 }], next_page_offset: 3 } });
    const second = await raw(f, 'POST', '/collections/c/points/scroll', { limit: 2, offset: 3, with_payload: false });
    expect(second.json()).toEqual({ result: { points: [{ id: 3 }], next_page_offset: null }, status: 'ok', time: expect.any(Number) });
  });
});
