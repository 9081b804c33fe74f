import path from 'node:path';
import type { Feature, FeatureDeps } from '../app/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import { ChatHandlers } from '../commands/index.js';
import { formatResult, type CheckResult } from './check-result.js';
import type { DoctorInput } from './doctor.js';

/**
 * `/doctor` in chat: the same checks as `npm run doctor`, run inside the daemon. The
 * database and Telegram checks see that this process is the running daemon (its pid file)
 * and neither open a second embedded database nor cut off its own long poll.
 */
export function createDoctorFeature(deps: FeatureDeps, options: { run?: (input: DoctorInput) => Promise<CheckResult[]> } = {}): Feature {
  // Loaded on first use: the checks pull in clients the daemon does not otherwise need at start.
  const run = options.run ?? (async (input: DoctorInput) => (await import('./doctor.js')).runDoctor(input));
  const handlers = new ChatHandlers();
  deps.registry.add({ command: 'doctor', description: 'Check settings, services, backups and permissions' });
  handlers.command('doctor', async (request) => {
    await request.reply('Checking… (this takes a few seconds)');
    const results = await run({ env: process.env, envFile: path.resolve('.env'), now: new Date(), db: deps.db });
    const failed = results.filter((result) => result.status === 'fail').length;
    const head = failed === 0 ? '<b>Doctor: nothing is broken.</b>' : `<b>Doctor: ${failed} problem${failed === 1 ? '' : 's'} to fix.</b>`;
    await request.reply([head, ...results.map((result) => escapeHtml(formatResult(result)))].join('\n'), { html: true });
  });
  return { name: 'doctor', handlers };
}
