// A fake Google OAuth token endpoint + Gmail v1 + Calendar v3 REST server for tests: real
// node:http on 127.0.0.1, reached through GOOGLE_API_ROOT / GOOGLE_TOKEN_URL (the generated
// clients take a per-service rootUrl). Wire shapes follow Google's documentation:
// - token endpoint: form-encoded POST, JSON answers; errors `{"error":"invalid_grant","error_description":…}` (400);
// - API errors: `{"error":{"code","message","errors":[{"message","domain","reason"}],"status"}}`;
// - ids, historyId and internalDate are strings; history.list with a too-old startHistoryId is 404;
// - a history answer with nothing new carries only `historyId`.
// Unknown routes are a loud 404, recorded in `unexpected()`.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface FakeMail {
  id: string;
  threadId: string;
  from: string;
  subject: string;
  date: Date;
  snippet: string;
  labelIds: string[];
  historyId: number;
}

export interface FakeEvent {
  id: string;
  summary: string;
  /** Timed events: dateTime with offset; all-day events: date (end exclusive). */
  start: { dateTime?: string; date?: string; timeZone?: string };
  end: { dateTime?: string; date?: string; timeZone?: string };
  status?: 'confirmed' | 'cancelled';
  sequence?: number;
  updated?: string;
}

export interface GoogleRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  status: number;
  unexpected: boolean;
}

interface Fault {
  status: number;
  reason: string;
  retryAfter?: string;
  /** Only requests whose path contains this. */
  pathIncludes?: string;
}

export interface FakeGoogle {
  url: string;
  apiRoot: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** A refresh token the fake accepts (seed the credential store with it). */
  refreshToken: string;
  mails: Map<string, FakeMail>;
  events: Map<string, FakeEvent>;
  /** Bodies of the events.patch calls that succeeded, in order. */
  patches: Array<{ id: string; body: unknown }>;
  requests: GoogleRequest[];
  /** Adds mail to INBOX, advancing the history like Gmail does. */
  deliver(mail: Omit<FakeMail, 'id' | 'threadId' | 'historyId' | 'labelIds' | 'date'> & { id?: string; date?: Date; labelIds?: string[] }): FakeMail;
  /** Seeds many messages at once without history records (a large existing mailbox). */
  seedMailbox(count: number): void;
  /** History older than the current id is forgotten: the next history.list from before is a 404. */
  expireHistory(): void;
  /** A label change elsewhere moves historyId without adding messages. */
  touchHistory(): void;
  revokeRefreshToken(): void;
  /**
   * Time-based access, as for an OAuth app left in "Testing": token answers carry
   * `refresh_token_expires_in` (seconds left) until `undefined` turns it off.
   */
  refreshTokenLifetime(seconds: number | undefined): void;
  /** The scopes token answers report as granted (default: the two read-only ones). */
  grantScopes(scopes: string[]): void;
  /** Invalidates issued access tokens (as if revoked) without touching their expiry on our side. */
  revokeAccessTokens(): void;
  /** The next `count` matching API requests fail with this rate-limit answer. */
  failNext(count: number, fault: Fault): void;
  clearFaults(): void;
  /** Holds matching requests until `release()` (to stop a poll midway). */
  hold(pathIncludes: string): { reached: Promise<void>; release: () => void };
  /** An authorization code accepted once, for this PKCE challenge and redirect URI (what Google's consent page hands the browser). */
  issueAuthCode(challenge: string, redirectUri: string): string;
  apiCalls(): GoogleRequest[];
  unexpected(): GoogleRequest[];
  close(): Promise<void>;
}

const HISTORY_PAGE = 100;

function apiError(res: ServerResponse, code: number, status: string, reason: string, message: string, headers: Record<string, string> = {}): void {
  json(res, code, { error: { code, message, errors: [{ message, domain: code === 403 ? 'usageLimits' : 'global', reason }], status } }, headers);
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startFakeGoogle(): Promise<FakeGoogle> {
  const clientId = `${randomBytes(4).toString('hex')}.apps.googleusercontent.com`;
  const clientSecret = `GOCSPX-${randomBytes(8).toString('hex')}`;
  let refreshToken = `1//0${randomBytes(12).toString('hex')}`;
  const refreshTokens = new Set([refreshToken]);
  const accessTokens = new Set<string>();
  /** The scopes each access token was issued with. */
  const accessScopes = new Map<string, string>();
  const patches: Array<{ id: string; body: unknown }> = [];
  const authCodes = new Map<string, { challenge: string; redirectUri: string }>();
  const mails = new Map<string, FakeMail>();
  const events = new Map<string, FakeEvent>();
  const requests: GoogleRequest[] = [];
  const history: Array<{ id: number; messageId: string }> = [];
  const faults: Array<Fault & { left: number }> = [];
  const holds: Array<{ pathIncludes: string; reached: () => void; wait: Promise<void> }> = [];
  let refreshLifetime: number | undefined;
  let grantedScope = 'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/calendar.readonly';
  let historyId = 1000;
  let oldestHistory = historyId;
  let nextMail = 1;

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: { code: 500, message: String(err), status: 'INTERNAL' } });
    });
  });
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const record: GoogleRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, status: 0, unexpected: false };
    requests.push(record);
    const finish = res.end.bind(res);
    res.end = ((...args: Parameters<typeof res.end>) => {
      record.status = res.statusCode;
      return finish(...args);
    }) as typeof res.end;

    if (req.method === 'POST' && url.pathname === '/token') return token(req, res);

    const hold = holds.find((h) => url.pathname.includes(h.pathIncludes));
    if (hold) {
      hold.reached();
      await hold.wait;
    }
    const auth = req.headers.authorization ?? '';
    if (!auth.startsWith('Bearer ') || !accessTokens.has(auth.slice(7))) {
      json(res, 401, {
        error: {
          code: 401,
          message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
          errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
          status: 'UNAUTHENTICATED',
        },
      }, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
      return;
    }
    const fault = faults.find((f) => f.left > 0 && (!f.pathIncludes || url.pathname.includes(f.pathIncludes)));
    if (fault) {
      fault.left -= 1;
      const headers: Record<string, string> = fault.retryAfter ? { 'retry-after': fault.retryAfter } : {};
      if (fault.status === 429) apiError(res, 429, 'RESOURCE_EXHAUSTED', fault.reason, 'Too many concurrent requests for user.', headers);
      else apiError(res, fault.status, 'PERMISSION_DENIED', fault.reason, 'User Rate Limit Exceeded', headers);
      return;
    }

    const gmail = /^\/gmail\/v1\/users\/me\/(.+)$/.exec(url.pathname);
    if (gmail?.[1] && req.method === 'GET') {
      const route = gmail[1];
      if (route === 'profile') return json(res, 200, { emailAddress: 'owner@example.com', messagesTotal: mails.size, threadsTotal: mails.size, historyId: String(historyId) });
      if (route === 'history') return historyList(url.searchParams, res);
      if (route === 'messages') return messagesList(url.searchParams, res);
      const get = /^messages\/([^/]+)$/.exec(route);
      if (get?.[1]) return messageGet(decodeURIComponent(get[1]), url.searchParams, res);
    }
    const calendar = /^\/calendar\/v3\/calendars\/([^/]+)\/events(?:\/([^/]+))?$/.exec(url.pathname);
    if (calendar) {
      if (req.method === 'GET' && !calendar[2]) return eventsList(url.searchParams, res);
      if (req.method === 'GET' && calendar[2]) {
        const event = events.get(decodeURIComponent(calendar[2]));
        return event ? json(res, 200, { kind: 'calendar#event', ...event }) : apiError(res, 404, 'NOT_FOUND', 'notFound', 'Not Found');
      }
      if (req.method === 'PATCH' && calendar[2]) return eventPatch(decodeURIComponent(calendar[2]), req, res, auth.slice(7));
    }
    record.unexpected = true;
    apiError(res, 404, 'NOT_FOUND', 'notFound', `fake google: no route ${req.method} ${url.pathname}`);
  }

  /**
   * events.patch: needs a write scope (calendar or calendar.events, else 403 insufficientPermissions);
   * the fields given replace the stored ones, the rest stays; an empty or reversed range is 400
   * timeRangeEmpty; the answer is the whole event, with `sequence` and `updated` moved on.
   */
  async function eventPatch(id: string, req: IncomingMessage, res: ServerResponse, accessToken: string): Promise<void> {
    const scopes = (accessScopes.get(accessToken) ?? '').split(' ');
    if (!scopes.includes('https://www.googleapis.com/auth/calendar') && !scopes.includes('https://www.googleapis.com/auth/calendar.events')) {
      return apiError(res, 403, 'PERMISSION_DENIED', 'insufficientPermissions', 'Request had insufficient authentication scopes.');
    }
    const event = events.get(id);
    if (!event || event.status === 'cancelled') return apiError(res, 404, 'NOT_FOUND', 'notFound', 'Not Found');
    let patch: unknown;
    try {
      patch = JSON.parse(await readBody(req));
    } catch {
      return apiError(res, 400, 'INVALID_ARGUMENT', 'parseError', 'Parse Error');
    }
    if (typeof patch !== 'object' || patch === null) return apiError(res, 400, 'INVALID_ARGUMENT', 'parseError', 'Parse Error');
    const body = patch as Partial<FakeEvent>;
    const next: FakeEvent = { ...event, ...(body.summary !== undefined ? { summary: body.summary } : {}), ...(body.start ? { start: body.start } : {}), ...(body.end ? { end: body.end } : {}) };
    for (const time of [next.start, next.end]) {
      if (time.dateTime !== undefined && (Number.isNaN(Date.parse(time.dateTime)) || !/(Z|[+-]\d\d:\d\d)$/.test(time.dateTime) && !time.timeZone)) {
        return apiError(res, 400, 'INVALID_ARGUMENT', 'invalid', 'Invalid start time.');
      }
    }
    const startAt = Date.parse(next.start.dateTime ?? `${next.start.date ?? ''}T00:00:00Z`);
    const endAt = Date.parse(next.end.dateTime ?? `${next.end.date ?? ''}T00:00:00Z`);
    if (!(endAt > startAt)) return apiError(res, 400, 'INVALID_ARGUMENT', 'timeRangeEmpty', 'The specified time range is empty.');
    next.sequence = (event.sequence ?? 0) + 1;
    next.updated = new Date().toISOString();
    events.set(id, next);
    patches.push({ id, body: patch });
    return json(res, 200, { kind: 'calendar#event', etag: `"${next.sequence}${Date.now()}"`, status: 'confirmed', ...next });
  }

  async function token(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await readBody(req));
    if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
      return json(res, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    const issue = (withRefresh: string | undefined) => {
      const access = `ya29.${randomBytes(12).toString('hex')}`;
      accessTokens.add(access);
      accessScopes.set(access, grantedScope);
      json(res, 200, {
        access_token: access,
        expires_in: 3599,
        scope: grantedScope,
        token_type: 'Bearer',
        ...(withRefresh ? { refresh_token: withRefresh } : {}),
        ...(refreshLifetime !== undefined ? { refresh_token_expires_in: refreshLifetime } : {}),
      });
    };
    if (form.get('grant_type') === 'refresh_token') {
      if (!refreshTokens.has(form.get('refresh_token') ?? '')) return json(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      return issue(undefined);
    }
    if (form.get('grant_type') === 'authorization_code') {
      const code = authCodes.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!code || code.challenge !== challenge || code.redirectUri !== form.get('redirect_uri')) {
        return json(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
      }
      authCodes.delete(form.get('code') ?? '');
      return issue(refreshToken);
    }
    json(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
  }

  function historyList(query: URLSearchParams, res: ServerResponse): void {
    const start = Number(query.get('startHistoryId'));
    if (!Number.isFinite(start) || start < oldestHistory) return apiError(res, 404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.');
    const offset = Number(query.get('pageToken') ?? '0');
    const max = Math.min(Number(query.get('maxResults') ?? HISTORY_PAGE), HISTORY_PAGE);
    const label = query.get('labelId');
    const matching = history.filter((h) => h.id > start && (!label || (mails.get(h.messageId)?.labelIds.includes(label) ?? true)));
    const page = matching.slice(offset, offset + max);
    const body: Record<string, unknown> = { historyId: String(historyId) };
    if (page.length > 0) {
      body.history = page.map((h) => {
        const mail = mails.get(h.messageId);
        const message = { id: h.messageId, threadId: mail?.threadId ?? h.messageId, labelIds: mail?.labelIds ?? ['INBOX'] };
        return { id: String(h.id), messages: [{ id: message.id, threadId: message.threadId }], messagesAdded: [{ message }] };
      });
    }
    if (offset + max < matching.length) body.nextPageToken = String(offset + max);
    json(res, 200, body);
  }

  function messagesList(query: URLSearchParams, res: ServerResponse): void {
    const q = query.get('q') ?? '';
    const after = /after:(\d+)/.exec(q);
    const inbox = q.includes('in:inbox');
    const offset = Number(query.get('pageToken') ?? '0');
    const max = Math.min(Number(query.get('maxResults') ?? 100), 500);
    const matching = [...mails.values()]
      .filter((m) => (!inbox || m.labelIds.includes('INBOX')) && (!after?.[1] || m.date.getTime() / 1000 > Number(after[1])))
      .sort((a, b) => b.date.getTime() - a.date.getTime());
    const page = matching.slice(offset, offset + max);
    const body: Record<string, unknown> = { resultSizeEstimate: matching.length };
    if (page.length > 0) body.messages = page.map((m) => ({ id: m.id, threadId: m.threadId }));
    if (offset + max < matching.length) body.nextPageToken = String(offset + max);
    json(res, 200, body);
  }

  function messageGet(id: string, query: URLSearchParams, res: ServerResponse): void {
    const mail = mails.get(id);
    if (!mail) return apiError(res, 404, 'NOT_FOUND', 'notFound', 'Requested entity was not found.');
    if (query.get('format') !== 'metadata') return apiError(res, 400, 'INVALID_ARGUMENT', 'invalidArgument', 'fake google: only format=metadata is served');
    const wanted = query.getAll('metadataHeaders').map((h) => h.toLowerCase());
    const headers = [
      { name: 'From', value: mail.from },
      { name: 'Subject', value: mail.subject },
      { name: 'Date', value: mail.date.toUTCString().replace('GMT', '+0000') },
    ].filter((h) => wanted.length === 0 || wanted.includes(h.name.toLowerCase()));
    json(res, 200, {
      id: mail.id,
      threadId: mail.threadId,
      labelIds: mail.labelIds,
      snippet: mail.snippet,
      historyId: String(mail.historyId),
      internalDate: String(mail.date.getTime()),
      payload: { partId: '', mimeType: 'text/plain', filename: '', headers },
      sizeEstimate: 1024,
    });
  }

  function eventsList(query: URLSearchParams, res: ServerResponse): void {
    if (query.get('singleEvents') !== 'true' || query.get('orderBy') !== 'startTime') {
      return apiError(res, 400, 'INVALID_ARGUMENT', 'invalid', 'fake google: expected singleEvents=true&orderBy=startTime');
    }
    const min = Date.parse(query.get('timeMin') ?? '');
    const max = Date.parse(query.get('timeMax') ?? '');
    const zone = query.get('timeZone') ?? 'UTC';
    const startOf = (e: FakeEvent) => Date.parse(e.start.dateTime ?? `${e.start.date ?? ''}T00:00:00Z`);
    const endOf = (e: FakeEvent) => Date.parse(e.end.dateTime ?? `${e.end.date ?? ''}T00:00:00Z`);
    // Like Google: an event is listed when it overlaps [timeMin, timeMax).
    const items = [...events.values()]
      .filter((e) => e.status !== 'cancelled' && endOf(e) > min && startOf(e) < max)
      .sort((a, b) => startOf(a) - startOf(b))
      .map((e) => ({ kind: 'calendar#event', status: 'confirmed', ...e }));
    json(res, 200, { kind: 'calendar#events', summary: 'owner@example.com', timeZone: zone, items });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  function addMail(mail: FakeMail, withHistory: boolean): void {
    mails.set(mail.id, mail);
    if (withHistory) history.push({ id: mail.historyId, messageId: mail.id });
  }

  return {
    url,
    apiRoot: url,
    tokenUrl: `${url}/token`,
    clientId,
    clientSecret,
    get refreshToken() {
      return refreshToken;
    },
    mails,
    events,
    patches,
    requests,
    deliver(input) {
      historyId += 1;
      const id = input.id ?? `18c${(nextMail++).toString(16).padStart(13, '0')}`;
      const mail: FakeMail = { id, threadId: id, from: input.from, subject: input.subject, snippet: input.snippet, date: input.date ?? new Date(), labelIds: input.labelIds ?? ['INBOX', 'UNREAD'], historyId };
      addMail(mail, true);
      return mail;
    },
    seedMailbox(count) {
      const base = Date.parse('2020-01-01T00:00:00Z');
      for (let i = 0; i < count; i += 1) {
        const id = `17a${(nextMail++).toString(16).padStart(13, '0')}`;
        addMail({ id, threadId: id, from: `sender${i}@example.com`, subject: `old ${i}`, snippet: 'old mail', date: new Date(base + i * 60_000), labelIds: ['INBOX'], historyId }, false);
      }
    },
    expireHistory() {
      // Every id handed out so far is now too old to start from.
      oldestHistory = historyId + 1;
      history.length = 0;
    },
    touchHistory() {
      historyId += 1;
    },
    revokeRefreshToken() {
      refreshTokens.clear();
      refreshToken = `1//0${randomBytes(12).toString('hex')}`;
      refreshTokens.add(refreshToken);
      accessTokens.clear();
    },
    refreshTokenLifetime(seconds) {
      refreshLifetime = seconds;
    },
    grantScopes(scopes) {
      grantedScope = scopes.join(' ');
    },
    revokeAccessTokens() {
      accessTokens.clear();
    },
    failNext(count, fault) {
      faults.push({ ...fault, left: count });
    },
    clearFaults() {
      faults.length = 0;
    },
    hold(pathIncludes) {
      let reached!: () => void;
      let release!: () => void;
      const reachedPromise = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const wait = new Promise<void>((resolve) => {
        release = resolve;
      });
      const entry = { pathIncludes, reached, wait };
      holds.push(entry);
      return {
        reached: reachedPromise,
        release: () => {
          holds.splice(holds.indexOf(entry), 1);
          release();
        },
      };
    },
    issueAuthCode(challenge, redirectUri) {
      const code = `4/0${randomBytes(10).toString('hex')}`;
      authCodes.set(code, { challenge, redirectUri });
      return code;
    },
    apiCalls: () => requests.filter((r) => r.path !== '/token'),
    unexpected: () => requests.filter((r) => r.unexpected),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
