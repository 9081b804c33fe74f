import type { Db } from '../db/index.js';
import type { Logger } from '../log/index.js';
import type { OwnerMessenger } from '../messenger/index.js';
import type { GoogleApiError } from './google-errors.js';
import { markGoogleRevoked } from './google-connection.js';

export const REVOKED_ALERT =
  'Google stopped accepting openzero’s access (the token was revoked or expired; an OAuth app left in “Testing” loses it after 7 days). ' +
  'Mail and calendar polling is paused; everything else keeps working.\n\n' +
  'To fix: on the server run `npm run google:auth` (send /google for the steps), then restart openzero.';

/**
 * What happens when Google refuses our tokens: record it (Google polls pause, /status shows it)
 * and tell the owner once, with the fix. Later failures are silent until a reconnect clears it.
 */
export async function reportRevoked(deps: { db: Db; messenger: OwnerMessenger; log: Logger; now: () => Date }, err: GoogleApiError): Promise<void> {
  const at = deps.now();
  const first = await markGoogleRevoked(deps.db, at);
  deps.log.warn({ operation: err.operation, first }, 'google refused our tokens: polling paused until reconnected');
  if (first) await deps.messenger.send({ text: REVOKED_ALERT }, { scope: `google:revoked:${at.toISOString()}`, urgent: true });
}
