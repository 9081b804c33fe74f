import type { Config } from '../config/index.js';
import type { DbOrTx } from '../db/index.js';
import { googleConfigured, inspectGoogleTokens, type GoogleTokenHealth } from '../google/index.js';
import { fail, ok, warn, type CheckResult } from './check-result.js';

const RECONNECT = 'on the server run npm run google:auth (send /google for the ssh -L steps), then restart openzero';
const DAY_MS = 86_400_000;

/** How the check reaches the database: the daemon's own, or opened for the run; `held` when another process holds it. */
export type DatabaseAccess = <T>(use: (db: DbOrTx) => Promise<T>) => Promise<T | 'held' | 'absent'>;

/** Google, once mail and calendar are configured: the stored token refreshes, its expiry, its scopes. */
export async function checkGoogle(config: Config, withDatabase: DatabaseAccess, now: Date): Promise<CheckResult[]> {
  if (!googleConfigured(config.google)) return [ok('Google', 'not configured: mail and calendar are off')];
  const health = await withDatabase((db) => inspectGoogleTokens(config.google, db, now));
  if (health === 'held') return [warn('Google', 'not checked: the running daemon holds the embedded database', 'send /doctor in chat: it runs this check inside the daemon')];
  if (health === 'absent') return [warn('Google', 'configured but not connected yet: there is no database yet', 'start openzero once, then: ' + RECONNECT)];
  return describe(health, config, now);
}

function describe(health: GoogleTokenHealth, config: Config, now: Date): CheckResult[] {
  switch (health.state) {
    case 'not-configured':
      return [ok('Google', 'not configured: mail and calendar are off')];
    case 'client-problem':
      return [fail('Google', `the OAuth client is unusable: ${health.problem}`, 'set GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET, or GOOGLE_CREDENTIALS_FILE (README: Google setup)')];
    case 'not-connected':
      return [warn('Google', 'configured but not connected yet: no token is stored', RECONNECT)];
    case 'unreadable':
      return [fail('Google', 'the stored tokens open with neither OPENZERO_SECRET_KEY nor OPENZERO_SECRET_KEY_PREVIOUS', 'put the key that sealed them back in OPENZERO_SECRET_KEY_PREVIOUS, or reconnect: ' + RECONNECT)];
    case 'client-refused':
      return [fail('Google', `Google refused the OAuth client (${health.error}${health.description ? `: ${health.description}` : ''})`, 'copy the Desktop client id and secret again from Google Cloud console → Credentials into GOOGLE_CLIENT_ID/GOOGLE_CLIENT_SECRET (or GOOGLE_CREDENTIALS_FILE)')];
    case 'refused':
      return [fail('Google', `the refresh token is refused (${health.error}${health.description ? `: ${health.description}` : ''})${health.pausedSince ? `; mail and calendar paused since ${stamp(health.pausedSince)}` : ''}`, RECONNECT)];
    case 'unreachable':
      return [fail('Google', `the token endpoint did not answer (${health.reason})`, `check the network, or GOOGLE_TOKEN_URL (${config.google.tokenUrl})`)];
    case 'valid': {
      const minutes = Math.round((health.accessExpiresAt.getTime() - now.getTime()) / 60_000);
      const results = [ok('Google', `token valid${health.source === 'env' ? ' (GOOGLE_REFRESH_TOKEN, stored at next start)' : ''}; access renewed, good for ${minutes} min`)];
      if (health.refreshExpiresAt) {
        const days = Math.max(0, Math.floor((health.refreshExpiresAt.getTime() - now.getTime()) / DAY_MS));
        results.push(warn('Google expiry', `the refresh token expires ${stamp(health.refreshExpiresAt)} (in ${days} day${days === 1 ? '' : 's'}): the OAuth app is in "Testing"`, 'publish the app (Google Cloud console → OAuth consent screen → Publish app), then reconnect: ' + RECONNECT));
      } else {
        results.push(ok('Google expiry', 'the refresh token does not expire by time (the app is published)'));
      }
      if (health.missingScopes.length > 0) {
        const write = config.google.calendarWrite && health.missingScopes.every((scope) => scope.endsWith('/calendar.events'));
        const text = `the grant lacks ${health.missingScopes.map((scope) => scope.replace('https://www.googleapis.com/auth/', '')).join(', ')}`;
        results.push(write ? warn('Google scopes', `${text}: GOOGLE_CALENDAR_WRITE is on but moves will fail`, RECONNECT) : fail('Google scopes', text, RECONNECT));
      }
      if (health.pausedSince) results.push(warn('Google polling', `paused since ${stamp(health.pausedSince)} after Google refused the old token`, 'reconnect to resume mail and calendar (it clears the pause): ' + RECONNECT));
      return results;
    }
  }
}

function stamp(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
