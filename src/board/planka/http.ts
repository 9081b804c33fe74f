import type { z } from 'zod';
import type { Logger } from '../../log/index.js';
import { PlankaError, kindForStatus } from './errors.js';
import { PlankaErrorBody } from './schemas.js';

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpRequest {
  method: HttpMethod;
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  status: number;
  /** Parsed JSON, or the raw text when the body was not JSON, or undefined when empty. */
  body: unknown;
}

export interface HttpTransportOptions {
  baseUrl: string;
  timeoutMs: number;
  log: Logger;
  fetch: FetchLike;
}

/** Sends one request; throws `PlankaError` only for `unreachable` and `timeout`. */
export type HttpSend = (operation: string, request: HttpRequest) => Promise<HttpResponse>;

export function createHttpSend(options: HttpTransportOptions): HttpSend {
  const base = options.baseUrl.replace(/\/+$/, '');
  return async function send(operation, request) {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, options.timeoutMs);
    const headers: Record<string, string> = { accept: 'application/json', ...request.headers };
    let payload: string | undefined;
    if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(request.body);
    }
    try {
      const response = await options.fetch(`${base}${request.path}`, {
        method: request.method,
        headers,
        body: payload,
        signal: controller.signal,
      });
      const text = await response.text();
      options.log.debug({ operation, method: request.method, path: request.path, status: response.status }, 'planka request');
      return { status: response.status, body: parseBody(text) };
    } catch (err) {
      if (timedOut) {
        throw new PlankaError(`no answer within ${options.timeoutMs} ms`, { kind: 'timeout', operation, cause: err });
      }
      throw new PlankaError(`cannot reach Planka at ${base} (${describeNetworkError(err)})`, {
        kind: 'unreachable',
        operation,
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
  };
}

function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause: unknown = err.cause;
    if (cause instanceof Error && 'code' in cause && typeof cause.code === 'string') return cause.code;
    return err.message;
  }
  return 'network error';
}

/** Turns a non-2xx answer into a `PlankaError` carrying Planka's code and problems. */
export function errorFromResponse(operation: string, response: HttpResponse): PlankaError {
  const parsed = PlankaErrorBody.safeParse(response.body);
  const body = parsed.success ? parsed.data : {};
  const message = body.message ?? `HTTP ${response.status}`;
  return new PlankaError(body.code ? `${body.code}: ${message}` : message, {
    kind: kindForStatus(response.status),
    operation,
    status: response.status,
    code: body.code,
    problems: body.problems,
  });
}

/** Validates a 2xx body against `schema`; anything else becomes a `PlankaError`. */
export function expectOk<T extends z.ZodType>(operation: string, response: HttpResponse, schema: T): z.infer<T> {
  if (response.status < 200 || response.status > 299) throw errorFromResponse(operation, response);
  const parsed = schema.safeParse(response.body);
  if (!parsed.success) {
    throw new PlankaError(`unexpected response shape: ${parsed.error.issues.map(describeIssue).join('; ')}`, {
      kind: 'server',
      operation,
      status: response.status,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${issue.path.join('.') || '(root)'}: ${issue.message}`;
}
