// Reading method arguments the way the Bot API server does: every parameter may arrive as a
// JSON value or as a string (query string, urlencoded form), and JSON-serialized parameters
// (reply_markup, allowed_updates, entities, commands, scope) may be objects or JSON strings.
import type { IncomingMessage } from 'node:http';

import { badRequest } from './api-error.js';
import type { Payload } from './wire-types.js';

export async function readPayload(req: IncomingMessage, url: URL): Promise<Payload> {
  const payload: Payload = {};
  for (const [key, value] of url.searchParams) payload[key] = value;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const raw = Buffer.concat(chunks);
  const body = raw.toString('utf8');
  if (body.length === 0) return payload;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('multipart/form-data')) {
    // File uploads (sendDocument): text fields as strings, files as UploadedFile.
    const boundary = /boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (boundary === undefined) throw badRequest('multipart body without a boundary');
    Object.assign(payload, parseMultipart(raw, boundary));
    return payload;
  }
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      throw badRequest("can't parse JSON object");
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw badRequest("can't parse JSON object");
    }
    // The server decodes JSON to UTF-8; an unpaired surrogate escape cannot be encoded.
    if (hasLoneSurrogate(parsed)) throw badRequest('text must be encoded in UTF-8');
    Object.assign(payload, parsed);
  } else if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(body)) payload[key] = value;
  } else {
    throw new UnsupportedBodyError(contentType === '' ? '(none)' : contentType);
  }
  return payload;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (Array.isArray(value)) return value.some(hasLoneSurrogate);
  if (value !== null && typeof value === 'object') return Object.entries(value).some(([key, inner]) => LONE_SURROGATE.test(key) || hasLoneSurrogate(inner));
  return false;
}

/** Splits a multipart/form-data body into its named parts (RFC 7578). */
function parseMultipart(raw: Buffer, boundary: string): Payload {
  const parts: Payload = {};
  const delimiter = Buffer.from(`--${boundary}`);
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const next = raw.indexOf(delimiter, start + delimiter.length);
    if (next === -1) break;
    const part = raw.subarray(start + delimiter.length, next);
    start = next;
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const headers = part.subarray(0, headerEnd).toString('utf8');
    // The part's content ends with the CRLF that precedes the next delimiter.
    const content = part.subarray(headerEnd + 4, part.length - 2).toString('utf8');
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) continue;
    // grammY writes the file name unquoted.
    const fileName = /filename="([^"]*)"|filename=([^;\r\n]+)/i.exec(headers)?.slice(1).find((value) => value !== undefined);
    parts[name] = fileName === undefined ? content : ({ fileName, content } satisfies UploadedFile);
  }
  // A field `attach://<name>` points at the part that holds the file.
  for (const [key, value] of Object.entries(parts)) {
    if (typeof value === 'string' && value.startsWith('attach://')) {
      const target = parts[value.slice('attach://'.length)];
      if (typeof target === 'object') parts[key] = target;
    }
  }
  return parts;
}

/** A file sent as a multipart part; its content read as UTF-8 text (tests send text files). */
export interface UploadedFile {
  fileName: string;
  content: string;
}

export class UnsupportedBodyError extends Error {
  constructor(readonly contentType: string) {
    super(`the fake does not read request bodies of type ${contentType}`);
    this.name = 'UnsupportedBodyError';
  }
}

export function hasArg(payload: Payload, name: string): boolean {
  const value = payload[name];
  return value !== undefined && value !== null && value !== '';
}

export function stringArg(payload: Payload, name: string): string {
  const value = payload[name];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Integer argument like get_integer_arg: missing → default, out of range → clamped. */
export function intArg(payload: Payload, name: string, fallback: number, min = -Infinity, max = Infinity): number {
  if (!hasArg(payload, name)) return fallback;
  const parsed = Number.parseInt(stringArg(payload, name), 10);
  if (Number.isNaN(parsed)) return fallback;
  return Math.min(max, Math.max(min, parsed));
}

export function boolArg(payload: Payload, name: string): boolean {
  const value = payload[name];
  if (typeof value === 'boolean') return value;
  const text = stringArg(payload, name).toLowerCase();
  return text === 'true' || text === '1';
}

/** A JSON-serialized parameter; undefined when absent. */
export function jsonArg(payload: Payload, name: string, what: string): unknown {
  const value = payload[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    throw badRequest(`can't parse ${what} JSON object`);
  }
}

export function requiredString(payload: Payload, name: string): string {
  if (!hasArg(payload, name)) throw badRequest(`parameter "${name}" is required`);
  return stringArg(payload, name);
}
