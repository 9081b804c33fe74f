/**
 * A fake Qdrant REST server (node:http on 127.0.0.1, port 0) speaking the wire protocol the real
 * `@qdrant/js-client-rest` uses. Shapes follow api.qdrant.tech (v1.18.x) and Qdrant's source:
 * - envelope `{"result":…,"status":"ok","time":…}`; errors `{"status":{"error":"…"},"time":…}`
 * - 404 "Not found: Collection `c` doesn't exist!", 409 "Wrong input: Collection `c` already exists!"
 *   (409 since Qdrant 1.8, PR qdrant/qdrant#3422)
 * - point ids: unsigned integer or UUID, else 400 "Format error in JSON body: value … is not a valid
 *   point ID, valid values are either an unsigned integer or a UUID at line 1 column …"
 * - size mismatch: 400 "Wrong input: Vector dimension error: expected dim: X, got Y"
 * - Cosine collections normalise vectors at insert; the score is the dot product with the
 *   normalised query; `score_threshold` keeps scores ≥ threshold; `with_payload` defaults to false
 *   for query, true for scroll
 * - API key (src/common/auth/mod.rs, src/actix/auth.rs): `api-key` header or `Authorization: Bearer`;
 *   missing → 401 "Must provide an API key or an Authorization bearer token", wrong → 401 "Invalid
 *   API key or JWT", plain-text bodies; `/`, `/healthz`, `/readyz`, `/livez` are exempt.
 * Anything else answers a loud 404 and is recorded as unexpected.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface RecordedQdrantRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  /** The status the fake answered with. */
  status: number;
  unexpected: boolean;
}

export interface FakeQdrantPoint {
  id: string | number;
  vector: number[];
  payload: Record<string, unknown>;
  version: number;
}

export interface FakeQdrantCollection {
  size: number;
  distance: string;
  points: Map<string, FakeQdrantPoint>;
  payloadSchema: Map<string, string>;
}

export interface FakeQdrant {
  url: string;
  version: string;
  requests: RecordedQdrantRequest[];
  collections: Map<string, FakeQdrantCollection>;
  unexpected(): RecordedQdrantRequest[];
  /** Stops listening and drops open connections: clients see ECONNREFUSED. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const AUTH_EXEMPT = ['/', '/healthz'];
const AUTH_EXEMPT_PREFIXES = ['/readyz', '/livez'];

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function canonicalUuid(text: string): string {
  const hex = text.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function pointId(value: unknown, raw: string): string | number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && UUID.test(value)) return canonicalUuid(value);
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  const token = JSON.stringify(value);
  const at = raw.indexOf(token);
  const column = at < 0 ? raw.length : at + token.length;
  throw new HttpFailure(
    400,
    `Format error in JSON body: value ${shown} is not a valid point ID, valid values are either an unsigned integer or a UUID at line 1 column ${column}`,
  );
}

function keyOf(id: string | number): string {
  return typeof id === 'number' ? `n:${id}` : `u:${id}`;
}

function numberArray(value: unknown, what: string): number[] {
  if (!Array.isArray(value) || !value.every((x) => typeof x === 'number')) {
    throw new HttpFailure(400, `Format error in JSON body: ${what} must be an array of numbers`);
  }
  return value;
}

function normalize(vector: number[]): number[] {
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));
  return norm === 0 ? vector : vector.map((x) => x / norm);
}

/** Only the empty filter (no conditions: matches everything) is implemented; others fail loudly. */
function isEmptyFilter(filter: unknown): boolean {
  if (!isRecord(filter)) return false;
  return ['must', 'should', 'must_not'].every((key) => {
    const value = filter[key];
    return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
  }) && Object.keys(filter).every((key) => ['must', 'should', 'must_not'].includes(key));
}

export async function startFakeQdrant(options: { apiKey?: string; version?: string } = {}): Promise<FakeQdrant> {
  const version = options.version ?? '1.15.4';
  const requests: RecordedQdrantRequest[] = [];
  const collections = new Map<string, FakeQdrantCollection>();
  let operationId = 0;
  let server: Server | undefined;
  let port = 0;

  function send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  function ok(res: ServerResponse, result: unknown): void {
    send(res, 200, { result, status: 'ok', time: 0.000042 });
  }

  function collectionOr404(name: string): FakeQdrantCollection {
    const found = collections.get(name);
    if (!found) throw new HttpFailure(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return found;
  }

  function updateResult(query: Record<string, string>): { operation_id: number; status: string } {
    operationId++;
    return { operation_id: operationId, status: query['wait'] === 'true' ? 'completed' : 'acknowledged' };
  }

  function checkSize(collection: FakeQdrantCollection, vector: number[]): void {
    if (vector.length !== collection.size) {
      throw new HttpFailure(400, `Wrong input: Vector dimension error: expected dim: ${collection.size}, got ${vector.length}`);
    }
  }

  function authFailure(req: IncomingMessage, path: string): string | undefined {
    if (options.apiKey === undefined) return undefined;
    if (AUTH_EXEMPT.includes(path) || AUTH_EXEMPT_PREFIXES.some((prefix) => path.startsWith(prefix))) return undefined;
    const header = req.headers['api-key'];
    const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined;
    const key = typeof header === 'string' ? header : bearer;
    if (key === undefined) return 'Must provide an API key or an Authorization bearer token';
    return key === options.apiKey ? undefined : 'Invalid API key or JWT';
  }

  /** Returns false when no route matched. */
  function route(method: string, path: string, query: Record<string, string>, body: unknown, raw: string, res: ServerResponse): boolean {
    if (method === 'GET' && path === '/') {
      send(res, 200, { title: 'qdrant - vector search engine', version, commit: '0123456789abcdef0123456789abcdef01234567' });
      return true;
    }
    const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(path);
    if (!match) return false;
    const name = decodeURIComponent(match[1] ?? '');
    const rest = match[2] ?? '';
    const input = isRecord(body) ? body : {};

    if (rest === '/exists' && method === 'GET') {
      ok(res, { exists: collections.has(name) });
      return true;
    }
    if (rest === '') {
      if (method === 'GET') {
        const c = collectionOr404(name);
        ok(res, {
          status: 'green',
          optimizer_status: 'ok',
          indexed_vectors_count: 0,
          points_count: c.points.size,
          segments_count: 1,
          config: {
            params: { vectors: { size: c.size, distance: c.distance }, shard_number: 1, replication_factor: 1, write_consistency_factor: 1, on_disk_payload: true },
            hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000, max_indexing_threads: 0, on_disk: false },
            optimizer_config: { deleted_threshold: 0.2, vacuum_min_vector_number: 1000, default_segment_number: 0, flush_interval_sec: 5 },
            wal_config: { wal_capacity_mb: 32, wal_segments_ahead: 0 },
          },
          payload_schema: Object.fromEntries([...c.payloadSchema].map(([field, type]) => [field, { data_type: type, points: c.points.size }])),
        });
        return true;
      }
      if (method === 'PUT') {
        if (collections.has(name)) throw new HttpFailure(409, `Wrong input: Collection \`${name}\` already exists!`);
        const vectors = input['vectors'];
        if (!isRecord(vectors) || typeof vectors['size'] !== 'number' || typeof vectors['distance'] !== 'string') {
          throw new HttpFailure(400, 'Format error in JSON body: fake qdrant supports only a single unnamed vector {size, distance}');
        }
        collections.set(name, { size: vectors['size'], distance: vectors['distance'], points: new Map(), payloadSchema: new Map() });
        ok(res, true);
        return true;
      }
      if (method === 'DELETE') {
        ok(res, collections.delete(name));
        return true;
      }
      return false;
    }
    if (rest === '/index' && method === 'PUT') {
      const c = collectionOr404(name);
      const field = input['field_name'];
      const schema = input['field_schema'];
      if (typeof field !== 'string' || typeof schema !== 'string') {
        throw new HttpFailure(400, 'Format error in JSON body: field_name and a plain field_schema are required');
      }
      c.payloadSchema.set(field, schema);
      ok(res, updateResult(query));
      return true;
    }
    if (rest === '/points' && method === 'PUT') {
      const c = collectionOr404(name);
      const points = input['points'];
      if (!Array.isArray(points)) throw new HttpFailure(400, 'Format error in JSON body: fake qdrant supports only {"points":[…]}');
      const parsed = points.map((point: unknown) => {
        if (!isRecord(point)) throw new HttpFailure(400, 'Format error in JSON body: point must be an object');
        const id = pointId(point['id'], raw);
        const vector = numberArray(point['vector'], 'vector');
        checkSize(c, vector);
        return { id, vector, payload: isRecord(point['payload']) ? point['payload'] : {} };
      });
      const result = updateResult(query);
      for (const point of parsed) {
        const stored = c.distance === 'Cosine' ? normalize(point.vector) : point.vector;
        c.points.set(keyOf(point.id), { id: point.id, vector: stored, payload: point.payload, version: result.operation_id });
      }
      ok(res, result);
      return true;
    }
    if (rest === '/points/query' && method === 'POST') {
      const c = collectionOr404(name);
      if (input['filter'] !== undefined && input['filter'] !== null) throw new HttpFailure(400, 'fake qdrant: filtered query is not implemented');
      const rawQuery = isRecord(input['query']) ? input['query']['nearest'] : input['query'];
      const vector = numberArray(rawQuery, 'query');
      checkSize(c, vector);
      const q = c.distance === 'Cosine' ? normalize(vector) : vector;
      const limit = typeof input['limit'] === 'number' ? input['limit'] : 10;
      const offset = typeof input['offset'] === 'number' ? input['offset'] : 0;
      const threshold = typeof input['score_threshold'] === 'number' ? input['score_threshold'] : undefined;
      const scored = [...c.points.values()]
        .map((p) => ({ p, score: p.vector.reduce((sum, x, i) => sum + x * (q[i] ?? 0), 0) }))
        .filter((s) => threshold === undefined || s.score >= threshold)
        .sort((a, b) => b.score - a.score || String(a.p.id).localeCompare(String(b.p.id)))
        .slice(offset, offset + limit);
      ok(res, {
        points: scored.map(({ p, score }) => ({
          id: p.id,
          version: p.version,
          score,
          ...(input['with_payload'] === true ? { payload: p.payload } : {}),
          ...(input['with_vector'] === true ? { vector: p.vector } : {}),
        })),
      });
      return true;
    }
    if (rest === '/points/delete' && method === 'POST') {
      const c = collectionOr404(name);
      if (Array.isArray(input['points'])) {
        for (const id of input['points']) c.points.delete(keyOf(pointId(id, raw)));
      } else if (isEmptyFilter(input['filter'])) {
        c.points.clear();
      } else {
        throw new HttpFailure(400, 'fake qdrant: only {"points":[…]} or an empty filter are implemented');
      }
      ok(res, updateResult(query));
      return true;
    }
    if (rest === '/points/count' && method === 'POST') {
      const c = collectionOr404(name);
      if (input['filter'] !== undefined && input['filter'] !== null && !isEmptyFilter(input['filter'])) {
        throw new HttpFailure(400, 'fake qdrant: filtered count is not implemented');
      }
      ok(res, { count: c.points.size });
      return true;
    }
    if (rest === '/points/scroll' && method === 'POST') {
      const c = collectionOr404(name);
      const limit = typeof input['limit'] === 'number' ? input['limit'] : 10;
      const withPayload = input['with_payload'] ?? true;
      const sorted = [...c.points.values()].sort((a, b) => {
        if (typeof a.id !== typeof b.id) return typeof a.id === 'number' ? -1 : 1;
        return typeof a.id === 'number' && typeof b.id === 'number' ? a.id - b.id : String(a.id).localeCompare(String(b.id));
      });
      const offsetId = input['offset'];
      const start = offsetId === undefined || offsetId === null ? 0 : Math.max(0, sorted.findIndex((p) => p.id === pointId(offsetId, raw)));
      const page = sorted.slice(start, start + limit);
      ok(res, {
        points: page.map((p) => ({
          id: p.id,
          ...(withPayload === true ? { payload: p.payload } : {}),
          ...(input['with_vector'] === true ? { vector: p.vector } : {}),
        })),
        next_page_offset: sorted[start + limit]?.id ?? null,
      });
      return true;
    }
    return false;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const query = Object.fromEntries(url.searchParams);
    let body: unknown = undefined;
    const record: RecordedQdrantRequest = { method, path: url.pathname, query, headers: { ...req.headers }, body, status: 0, unexpected: false };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    try {
      if (raw !== '') {
        try {
          body = JSON.parse(raw);
        } catch (error) {
          throw new HttpFailure(400, `Format error in JSON body: ${error instanceof Error ? error.message : 'invalid JSON'}`);
        }
        record.body = body;
      }
      const denied = authFailure(req, url.pathname);
      if (denied !== undefined) {
        res.writeHead(401, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(denied);
        return;
      }
      if (!route(method, url.pathname, query, body, raw, res)) {
        record.unexpected = true;
        send(res, 404, { status: { error: `fake qdrant: unexpected request ${method} ${url.pathname}` }, time: 0 });
      }
    } catch (error) {
      if (error instanceof HttpFailure) {
        if (error.message.startsWith('fake qdrant:')) record.unexpected = true;
        send(res, error.status, { status: { error: error.message }, time: 0.000017 });
        return;
      }
      record.unexpected = true;
      send(res, 500, { status: { error: `fake qdrant crashed: ${error instanceof Error ? error.message : String(error)}` }, time: 0 });
    }
  }

  async function listen(): Promise<void> {
    const next = createServer((req, res) => {
      void handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen(port, '127.0.0.1', () => resolve());
    });
    const address = next.address();
    if (address === null || typeof address === 'string') throw new Error('fake qdrant: no TCP address');
    port = address.port;
    server = next;
  }

  async function stop(): Promise<void> {
    const current = server;
    server = undefined;
    if (!current) return;
    await new Promise<void>((resolve) => {
      current.close(() => resolve());
      current.closeAllConnections();
    });
  }

  await listen();

  return {
    get url() {
      return `http://127.0.0.1:${port}`;
    },
    version,
    requests,
    collections,
    unexpected: () => requests.filter((r) => r.unexpected),
    down: stop,
    up: listen,
    close: stop,
  };
}
