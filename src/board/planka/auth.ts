import type { Logger } from '../../log/index.js';
import { PlankaError } from './errors.js';
import { expectOk, errorFromResponse, type HttpRequest, type HttpResponse, type HttpSend } from './http.js';
import { PendingTermsBody, TermsResponse, TokenResponse } from './schemas.js';

export type PlankaAuth =
  | { kind: 'api-key'; apiKey: string }
  | { kind: 'password'; username: string; password: string };

/** Sends a request with credentials attached; for password auth, logs in lazily and once more on a 401. */
export type AuthorizedSend = (operation: string, request: HttpRequest) => Promise<HttpResponse>;

export function createAuthorizedSend(auth: PlankaAuth, send: HttpSend, log: Logger): AuthorizedSend {
  if (auth.kind === 'api-key') {
    const headers = { 'x-api-key': auth.apiKey };
    return (operation, request) => send(operation, { ...request, headers: { ...request.headers, ...headers } });
  }

  const { username, password } = auth;
  let token: string | undefined;
  let loginInFlight: Promise<string> | undefined;

  // One login at a time: concurrent requests that find no token share the same attempt.
  function ensureToken(): Promise<string> {
    if (token !== undefined) return Promise.resolve(token);
    loginInFlight ??= login(username, password, send, log).then(
      (fresh) => {
        token = fresh;
        loginInFlight = undefined;
        return fresh;
      },
      (err: unknown) => {
        loginInFlight = undefined;
        throw err;
      },
    );
    return loginInFlight;
  }

  function withBearer(request: HttpRequest, bearer: string): HttpRequest {
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${bearer}` } };
  }

  return async (operation, request) => {
    const used = await ensureToken();
    const response = await send(operation, withBearer(request, used));
    if (response.status !== 401) return response;
    // The token expired or its session was revoked: log in again once and retry once.
    if (token === used) token = undefined;
    log.info({ operation }, 'planka token rejected, logging in again');
    const fresh = await ensureToken();
    return send(operation, withBearer(request, fresh));
  };
}

async function login(username: string, password: string, send: HttpSend, log: Logger): Promise<string> {
  const operation = 'login';
  const response = await send(operation, {
    method: 'POST',
    path: '/api/access-tokens',
    body: { emailOrUsername: username, password },
  });
  if (response.status === 200) return expectOk(operation, response, TokenResponse).item;

  const pending = response.status === 403 ? PendingTermsBody.safeParse(response.body) : undefined;
  if (!pending?.success) throw loginError(response);

  // First login of this user: Planka wants the terms accepted (signature = sha256 of the terms text).
  log.info('planka asks to accept its terms on first login; accepting');
  const termsPath = pending.data.termsType
    ? `/api/terms?type=${encodeURIComponent(pending.data.termsType)}`
    : '/api/terms';
  const terms = expectOk('acceptTerms', await send('acceptTerms', { method: 'GET', path: termsPath }), TermsResponse);
  const accepted = await send('acceptTerms', {
    method: 'POST',
    path: '/api/access-tokens/accept-terms',
    body: { pendingToken: pending.data.pendingToken, signature: terms.item.signature },
  });
  return expectOk('acceptTerms', accepted, TokenResponse).item;
}

function loginError(response: HttpResponse): PlankaError {
  const error = errorFromResponse('login', response);
  if (error.kind !== 'unauthorized') return error;
  return new PlankaError('Planka rejected the username or password (check PLANKA_USERNAME / PLANKA_PASSWORD)', {
    kind: 'unauthorized',
    operation: 'login',
    status: error.status,
    code: error.code,
    cause: error,
  });
}
