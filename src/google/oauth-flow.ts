import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OAuth2Client } from 'google-auth-library';
import type { OAuthClientCredentials } from './client-credentials.js';
import { mergeTokens, type StoredTokens } from './stored-tokens.js';

export interface AuthorizationStart {
  /** The consent URL to open in a browser. */
  url: string;
  redirectUri: string;
  /** Resolves with the redirect URL the browser came back with (loopback), or one pasted by hand. */
  finish(redirectUrl: string): Promise<StoredTokens>;
  /** Resolves when the loopback server receives the redirect. */
  redirected: Promise<string>;
  close(): Promise<void>;
}

/**
 * The installed-app flow: PKCE (S256) and a loopback redirect on 127.0.0.1:<port>. The same
 * `finish` accepts a redirect URL pasted by hand when the browser cannot reach the loopback.
 */
export async function startAuthorization(options: { client: OAuthClientCredentials; tokenUrl: string; scopes: string[]; port: number; authUrl?: string }): Promise<AuthorizationStart> {
  const { OAuth2Client: Client } = await import('google-auth-library');
  let redirectedResolve!: (url: string) => void;
  const redirected = new Promise<string>((resolve) => {
    redirectedResolve = resolve;
  });
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!url.searchParams.has('code') && !url.searchParams.has('error')) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('openzero: received. You can close this tab and return to the terminal.');
    redirectedResolve(`http://127.0.0.1${req.url ?? '/'}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const redirectUri = `http://127.0.0.1:${port}`;
  const oauth: OAuth2Client = new Client({
    clientId: options.client.clientId,
    clientSecret: options.client.clientSecret,
    redirectUri,
    endpoints: { oauth2TokenUrl: options.tokenUrl, ...(options.authUrl ? { oauth2AuthBaseUrl: options.authUrl } : {}) },
  });
  const { codeVerifier, codeChallenge } = await oauth.generateCodeVerifierAsync();
  const state = (await oauth.generateCodeVerifierAsync()).codeVerifier.slice(0, 24);
  const url = oauth.generateAuthUrl({
    access_type: 'offline',
    // Asking for consent every time makes Google return a refresh token every time.
    prompt: 'consent',
    scope: options.scopes,
    state,
    code_challenge_method: 'S256' as never,
    ...(codeChallenge ? { code_challenge: codeChallenge } : {}),
  });
  return {
    url,
    redirectUri,
    redirected,
    async finish(redirectUrl) {
      let parsed: URL;
      try {
        parsed = new URL(redirectUrl.trim());
      } catch {
        throw new Error('That is not a URL: paste the whole address from the browser, starting with http://127.0.0.1');
      }
      const error = parsed.searchParams.get('error');
      if (error) throw new Error(`Google answered ${error}: nothing was connected`);
      const code = parsed.searchParams.get('code');
      if (!code) throw new Error('The URL has no ?code=…: paste the address the browser was sent to after you agreed');
      if (parsed.searchParams.get('state') !== state) throw new Error('The URL belongs to another attempt (state differs): start again');
      const { tokens } = await oauth.getToken({ code, codeVerifier, redirect_uri: redirectUri });
      const merged = mergeTokens(undefined, tokens);
      if (!merged) throw new Error('Google returned no refresh token: remove openzero under myaccount.google.com → Security → Third-party access, then try again');
      return merged;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
