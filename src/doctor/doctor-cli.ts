import path from 'node:path';
import dotenv from 'dotenv';
import { formatResult } from './check-result.js';
import { runDoctor } from './doctor.js';

/** `npm run doctor`: one line per check; exit status 1 when anything is ❌. */
async function main(): Promise<number> {
  const envFile = path.resolve('.env');
  dotenv.config({ path: envFile, quiet: true });
  const results = await runDoctor({ env: process.env, envFile, now: new Date() });
  process.stdout.write(`${results.map(formatResult).join('\n')}\n`);
  return results.some((result) => result.status === 'fail') ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`doctor crashed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(2);
  },
);
