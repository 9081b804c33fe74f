import { z } from 'zod';
import type { GoogleConfig } from '../config/config.js';
import type { DbOrTx } from '../db/index.js';
import { CredentialStore, SecretUnreadableError } from '../secrets/index.js';
import { resolveClientCredentials } from './client-credentials.js';
import { googleRevokedAt } from './google-connection.js';
import { requestedScopes } from './scopes.js';
import { loadTokens } from './stored-tokens.js';

/**
 * What a refresh at Google's token endpoint says about the stored tokens. `refreshExpiresAt`
 * is set only for time-based access (`refresh_token_expires_in`), which is what an OAuth app
 * left in "Testing" gets: its refresh token dies after 7 days.
 */
export type GoogleTokenHealth =
  | { state: 'not-configured' }
  | { state: 'client-problem'; problem: string }
  | { state: 'not-connected' }
  | { state: 'unreadable' }
  | { state: 'refused'; error: string; description: string; pausedSince: Date | undefined }
  | { state: 'client-refused'; error: string; description: string }
  | { state: 'unreachable'; reason: string }
  | { state: 'valid'; accessExpiresAt: Date; refreshExpiresAt: Date | undefined; missingScopes: string[]; pausedSince: Date | undefined; source: 'stored' | 'env' };

const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z.number(),
  scope: z.string().optional(),
  refresh_token_expires_in: z.number().optional(),
});
const TokenError = z.object({ error: z.string(), error_description: z.string().optional() });

/** True when Google settings are given at all (a client or a refresh token). */
export function googleConfigured(google: GoogleConfig): boolean {
  return Boolean(google.client || google.credentialsFile || google.refreshToken);
}

/**
 * Checks the stored Google tokens by one refresh at GOOGLE_TOKEN_URL (read-only: nothing is
 * saved, the refresh token is not rotated by Google). Never throws for Google's answers.
 */
export async function inspectGoogleTokens(google: GoogleConfig, db: DbOrTx, now: Date, timeoutMs = 10_000): Promise<GoogleTokenHealth> {
  if (!googleConfigured(google)) return { state: 'not-configured' };
  const client = resolveClientCredentials(google);
  if (!client.ok) return { state: 'client-problem', problem: client.problem };
  if (google.secretKeys.length === 0) return { state: 'client-problem', problem: 'OPENZERO_SECRET_KEY is not set' };
  let refreshToken: string | undefined;
  let source: 'stored' | 'env' = 'stored';
  try {
    refreshToken = (await loadTokens(new CredentialStore(db, google.secretKeys)))?.refresh_token;
  } catch (err) {
    if (err instanceof SecretUnreadableError) return { state: 'unreadable' };
    throw err;
  }
  if (!refreshToken && google.refreshToken) {
    refreshToken = google.refreshToken;
    source = 'env';
  }
  if (!refreshToken) return { state: 'not-connected' };
  const pausedSince = await googleRevokedAt(db);

  let res: Response;
  try {
    res = await fetch(google.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: client.credentials.clientId, client_secret: client.credentials.clientSecret }).toString(),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : '';
    return { state: 'unreachable', reason: cause || (err instanceof Error ? err.message : String(err)) };
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.ok) {
    const answer = TokenAnswer.safeParse(body);
    if (!answer.success) return { state: 'unreachable', reason: `unexpected answer from ${new URL(google.tokenUrl).host}` };
    const granted = new Set((answer.data.scope ?? '').split(' ').filter(Boolean));
    return {
      state: 'valid',
      accessExpiresAt: new Date(now.getTime() + answer.data.expires_in * 1000),
      refreshExpiresAt: answer.data.refresh_token_expires_in === undefined ? undefined : new Date(now.getTime() + answer.data.refresh_token_expires_in * 1000),
      missingScopes: answer.data.scope === undefined ? [] : requestedScopes(google.calendarWrite).filter((scope) => !granted.has(scope)),
      pausedSince,
      source,
    };
  }
  const error = TokenError.safeParse(body);
  const detail = error.success ? { error: error.data.error, description: error.data.error_description ?? '' } : { error: `HTTP ${res.status}`, description: '' };
  if (detail.error === 'invalid_client' || detail.error === 'unauthorized_client') return { state: 'client-refused', ...detail };
  if (res.status === 400 || res.status === 401) return { state: 'refused', ...detail, pausedSince };
  return { state: 'unreachable', reason: `${detail.error}${detail.description ? `: ${detail.description}` : ''}` };
}
