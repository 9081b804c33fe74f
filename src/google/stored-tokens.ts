import { z } from 'zod';
import type { CredentialStore } from '../secrets/index.js';

/** The credential name the Google tokens are sealed under. */
export const GOOGLE_CREDENTIAL = 'google-oauth';

export const StoredTokens = z.object({
  refresh_token: z.string().min(1),
  access_token: z.string().optional(),
  expiry_date: z.number().optional(),
  scope: z.string().optional(),
  token_type: z.string().optional(),
});
export type StoredTokens = z.infer<typeof StoredTokens>;

/** What google-auth-library emits in its `tokens` event: a refresh answer carries no refresh_token. */
export interface TokenUpdate {
  refresh_token?: string | null | undefined;
  access_token?: string | null | undefined;
  expiry_date?: number | null | undefined;
  scope?: string | undefined;
  token_type?: string | null | undefined;
}

/** Merges a token update over what is stored, keeping the refresh token the update lacks. */
export function mergeTokens(stored: StoredTokens | undefined, update: TokenUpdate): StoredTokens | undefined {
  const refresh = update.refresh_token ?? stored?.refresh_token;
  if (!refresh) return undefined;
  const merged: StoredTokens = { refresh_token: refresh };
  const access = update.access_token ?? stored?.access_token;
  if (access) merged.access_token = access;
  const expiry = update.expiry_date ?? stored?.expiry_date;
  if (expiry) merged.expiry_date = expiry;
  const scope = update.scope ?? stored?.scope;
  if (scope) merged.scope = scope;
  const type = update.token_type ?? stored?.token_type;
  if (type) merged.token_type = type;
  return merged;
}

export async function loadTokens(store: CredentialStore): Promise<StoredTokens | undefined> {
  const text = await store.get(GOOGLE_CREDENTIAL);
  if (text === undefined) return undefined;
  const parsed = StoredTokens.safeParse(JSON.parse(text));
  return parsed.success ? parsed.data : undefined;
}

export async function saveTokens(store: CredentialStore, tokens: StoredTokens): Promise<void> {
  await store.put(GOOGLE_CREDENTIAL, JSON.stringify(tokens));
}
