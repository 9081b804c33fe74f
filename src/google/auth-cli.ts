import readline from 'node:readline';
import dotenv from 'dotenv';
import { pino } from 'pino';
import { loadConfig } from '../config/index.js';
import { migrateToLatest, openDatabase } from '../db/index.js';
import { createLogger } from '../log/index.js';
import { CredentialStore } from '../secrets/index.js';
import { resolveClientCredentials } from './client-credentials.js';
import { connectSteps, DEFAULT_AUTH_PORT } from './connect-steps.js';
import { clearGoogleRevoked } from './google-connection.js';
import { startAuthorization } from './oauth-flow.js';
import { requestedScopes } from './scopes.js';
import { saveTokens } from './stored-tokens.js';

const USAGE = `Usage: npm run google:auth [-- --port <n>]

Connects openzero to your Google account and stores the tokens encrypted in the database
(OPENZERO_SECRET_KEY). With the embedded database, stop the daemon first.

${connectSteps()}
`;

/**
 * `npm run google:auth`: the installed-app OAuth flow (PKCE, loopback on 127.0.0.1:<port>,
 * or a pasted redirect URL), then the tokens are sealed into the credentials table. Tokens are
 * never printed and never written to a file.
 */
async function authMain(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(USAGE);
    return 0;
  }
  const portAt = argv.indexOf('--port');
  const port = portAt >= 0 ? Number(argv[portAt + 1]) : DEFAULT_AUTH_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('--port expects a number 0-65535\n');
    return 64;
  }
  dotenv.config({ quiet: true });
  const loaded = loadConfig(process.env);
  if (!loaded.ok) {
    process.stderr.write(`google:auth cannot start; fix these settings:\n${loaded.problems.map((p) => `  - ${p}`).join('\n')}\n`);
    return 78;
  }
  const { config } = loaded;
  const client = resolveClientCredentials(config.google);
  if (!client.ok) {
    process.stderr.write(`Google is ${client.problem}\n\n${USAGE}`);
    return 78;
  }
  if (config.google.secretKeys.length === 0) {
    process.stderr.write('OPENZERO_SECRET_KEY is not set: tokens are stored encrypted with it. Generate one with: openssl rand -hex 32\n');
    return 78;
  }
  const log = createLogger({ level: config.logLevel, destination: pino.destination(2) });
  const flow = await startAuthorization({ client: client.credentials, tokenUrl: config.google.tokenUrl, scopes: requestedScopes(config.google.calendarWrite), port });
  const actualPort = Number(new URL(flow.redirectUri).port);
  process.stdout.write(
    [
      `Listening on ${flow.redirectUri} for Google's redirect.`,
      `On a VPS, open a tunnel from your own computer first:  ssh -L ${actualPort}:127.0.0.1:${actualPort} <user>@<your-server>`,
      '',
      'Open this link in your browser and agree:',
      flow.url,
      '',
      'If the browser ends on an address it cannot load (http://127.0.0.1:…?code=…), paste that whole address here and press Enter:',
      '',
    ].join('\n'),
  );
  const input = readline.createInterface({ input: process.stdin, terminal: false });
  const pasted = new Promise<string>((resolve) => {
    input.on('line', (line) => {
      if (line.trim() !== '') resolve(line);
    });
  });
  try {
    const redirect = await Promise.race([flow.redirected, pasted]);
    const tokens = await flow.finish(redirect);
    const database = await openDatabase(config.database, log.child({ part: 'db' }));
    try {
      const migrated = await migrateToLatest(database.db);
      if (!migrated.ok) throw new Error(`database migration ${migrated.failed ?? '(unknown)'} failed: ${migrated.reason}`);
      await saveTokens(new CredentialStore(database.db, config.google.secretKeys), tokens);
      await clearGoogleRevoked(database.db);
    } finally {
      await database.close();
    }
    process.stdout.write(`Google connected (scopes: ${tokens.scope ?? requestedScopes(config.google.calendarWrite).join(' ')}). Tokens are stored encrypted. Restart openzero to start polling.\n`);
    return 0;
  } catch (err) {
    process.stderr.write(`Not connected: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    input.close();
    await flow.close();
  }
}

authMain(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`google:auth failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
