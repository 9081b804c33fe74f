import type { OAuth2Client } from 'google-auth-library';
import type { Logger } from '../log/index.js';
import type { CredentialStore } from '../secrets/index.js';
import type { OAuthClientCredentials } from './client-credentials.js';
import { loadTokens, mergeTokens, saveTokens, type StoredTokens } from './stored-tokens.js';

export interface GoogleSessionOptions {
  client: OAuthClientCredentials;
  store: CredentialStore;
  tokenUrl: string;
  log: Logger;
}

/**
 * The authorised OAuth2 client over the sealed tokens. google-auth-library is loaded on first
 * use. `forceRefreshOnFailure` makes a 401 trigger a refresh even while the stored access token
 * has not expired, so a revocation shows up as `invalid_grant` instead of passing unnoticed.
 * Refreshed tokens are merged over the stored ones (the `tokens` event lacks the refresh token).
 */
export class GoogleSession {
  readonly #options: GoogleSessionOptions;
  #client: Promise<OAuth2Client | undefined> | undefined;
  #tokens: StoredTokens | undefined;

  constructor(options: GoogleSessionOptions) {
    this.#options = options;
  }

  /** The client, or undefined when no tokens are stored (Google not connected yet). */
  auth(): Promise<OAuth2Client | undefined> {
    this.#client ??= this.#build().catch((err: unknown) => {
      this.#client = undefined;
      throw err;
    });
    return this.#client;
  }

  /** Forgets the built client so the next use reads the store again (after a reconnect). */
  reset(): void {
    this.#client = undefined;
  }

  async #build(): Promise<OAuth2Client | undefined> {
    const { client, store, tokenUrl, log } = this.#options;
    this.#tokens = await loadTokens(store);
    if (!this.#tokens) return undefined;
    const { OAuth2Client } = await import('google-auth-library');
    const oauth = new OAuth2Client({ clientId: client.clientId, clientSecret: client.clientSecret, endpoints: { oauth2TokenUrl: tokenUrl }, forceRefreshOnFailure: true });
    oauth.setCredentials(this.#tokens);
    oauth.on('tokens', (update) => {
      const merged = mergeTokens(this.#tokens, update);
      if (!merged) return;
      this.#tokens = merged;
      saveTokens(store, merged).catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'saving refreshed Google tokens failed'));
    });
    return oauth;
  }
}
