import fs from 'node:fs';
import { z } from 'zod';
import type { GoogleConfig } from '../config/config.js';

export interface OAuthClientCredentials {
  clientId: string;
  clientSecret: string;
}

const CredentialsFile = z.union([
  z.object({ installed: z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) }) }),
  z.object({ web: z.object({ client_id: z.string().min(1), client_secret: z.string().min(1) }) }),
]);

export type ClientCredentialsResult = { ok: true; credentials: OAuthClientCredentials } | { ok: false; problem: string };

/** The OAuth client from GOOGLE_CLIENT_ID/SECRET, else from GOOGLE_CREDENTIALS_FILE (Google's downloaded JSON). */
export function resolveClientCredentials(config: Pick<GoogleConfig, 'client' | 'credentialsFile'>): ClientCredentialsResult {
  if (config.client) return { ok: true, credentials: config.client };
  if (!config.credentialsFile) return { ok: false, problem: 'not configured: set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or GOOGLE_CREDENTIALS_FILE' };
  let text: string;
  try {
    text = fs.readFileSync(config.credentialsFile, 'utf8');
  } catch (err) {
    return { ok: false, problem: `GOOGLE_CREDENTIALS_FILE cannot be read (${err instanceof Error && 'code' in err ? String(err.code) : 'error'}): ${config.credentialsFile}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, problem: `GOOGLE_CREDENTIALS_FILE is not JSON: ${config.credentialsFile}` };
  }
  const parsed = CredentialsFile.safeParse(json);
  if (!parsed.success) return { ok: false, problem: `GOOGLE_CREDENTIALS_FILE is not an OAuth client file (expected {"installed":{"client_id","client_secret"}}): ${config.credentialsFile}` };
  const client = 'installed' in parsed.data ? parsed.data.installed : parsed.data.web;
  return { ok: true, credentials: { clientId: client.client_id, clientSecret: client.client_secret } };
}
