/**
 * A routine due in the next minute (computed from the real clock: the daemon's clock cannot be
 * faked), the daemon SIGKILLed the moment its message arrives, then restarted: no second message.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, telegramEnv, waitUntilReady, type DaemonProcess } from '../support/daemon.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

const OWNER_ID = 5151;
const TITLE = 'Kill-test briefing';
const UNKNOWN_OUTCOME = 'effect outcome unknown after restart; performing again';

describe.each(databaseKinds())('routine run across a SIGKILL on %s', (kind) => {
  let telegram: FakeTelegram;
  let database: TestDatabase;
  const daemons: DaemonProcess[] = [];

  beforeEach(async () => {
    telegram = await startFakeTelegram();
    // Telegram only delivers to a user who has started the bot.
    telegram.addChat({ id: OWNER_ID, type: 'private', first_name: 'Olive' });
    database = await createTestDatabase(kind);
  });
  afterEach(async () => {
    for (const daemon of daemons) if (daemon.child.exitCode === null && daemon.child.signalCode === null) daemon.kill('SIGKILL');
    await Promise.all(daemons.map((daemon) => daemon.exited));
    daemons.length = 0;
    await telegram.close();
    await database.drop();
  });

  it('sends the routine once: killed right after the message, the restarted daemon does not send it again', { timeout: 300_000 }, async () => {
    // Due at the start of the next minute, or the one after when this one is nearly over (start-up takes a few seconds).
    const now = new Date();
    const due = new Date(Math.floor(now.getTime() / 60_000) * 60_000 + (now.getUTCSeconds() > 40 ? 120_000 : 60_000));
    const hhmm = `${String(due.getUTCHours()).padStart(2, '0')}:${String(due.getUTCMinutes()).padStart(2, '0')}`;
    const plans = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'oz-plans-kill-')), 'recurring-plans.md');
    fs.writeFileSync(plans, `## kill-test\n- every: day\n- time: ${hhmm}\n- title: ${TITLE}\n- includes: reminders\n- send-if-empty: yes\n`);
    const env = baseEnv({ ...telegramEnv(telegram, OWNER_ID), ...database.env, USER_TIMEZONE: 'UTC', RECURRING_PLANS_FILE: plans });
    const ours = (): number => telegram.botMessages(OWNER_ID).filter((message) => message.text.includes(TITLE)).length;

    const first = startDaemon(env);
    daemons.push(first);
    await waitUntilReady(first);
    await telegram.waitFor(() => ours() > 0, 200_000).catch((err: unknown) => {
      throw new Error(`${String(err)}\n${first.logs.filter((l) => /routine|plans|messenger|proactive/.test(JSON.stringify(l))).map((l) => JSON.stringify(l)).join('\n')}`);
    });
    first.kill('SIGKILL');
    await first.exited;
    expect(ours()).toBe(1);

    const second = startDaemon(env);
    daemons.push(second);
    await waitUntilReady(second);
    // A check with nothing running: any resumed run of the killed slot has finished.
    await second.waitForLog((line) => line.msg === 'routine check done' && line.running === 0, 150_000);
    const unknown = second.logs.some((line) => line.msg === UNKNOWN_OUTCOME);
    // Telegram has no idempotency key: only a kill between its answer and our receipt may repeat, and it is logged.
    expect(ours()).toBe(unknown ? 2 : 1);
    second.kill('SIGTERM');
    await second.exited;
  });
});
