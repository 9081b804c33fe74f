/**
 * `/remind in 1 minutes …` through the built daemon and the fake Telegram: the confirmation
 * names the time, the reminder arrives once with its four buttons, and Done is answered.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { launchOwnerDaemon, type OwnerDaemon } from '../support/owner-daemon.js';

const OWNER = { id: 6161, first_name: 'Olive' };

describe('reminders through the daemon', () => {
  let run: OwnerDaemon | undefined;

  afterEach(async () => {
    await run?.close();
    run = undefined;
  });

  it('/remind in 1 minutes arrives once with Done, Snooze 20 min, Snooze 1h and Tomorrow', { timeout: 300_000 }, async () => {
    run = await launchOwnerDaemon({ kind: 'pglite', owner: OWNER, env: { USER_TIMEZONE: 'America/New_York' } });
    const { telegram, daemon } = run;
    telegram.sendText(OWNER, '/remind in 1 minutes stretch your legs');
    const confirmed = (): boolean => telegram.botMessages(OWNER.id).some((m) => m.text.includes('Reminder set for') && m.text.includes('America/New_York'));
    await telegram.waitFor(confirmed, 60_000);
    const fired = () => telegram.botMessages(OWNER.id).filter((m) => m.text.includes('Reminder: stretch your legs'));
    await telegram.waitFor(() => fired().length > 0, 180_000);
    const message = fired()[0];
    const buttons = message?.replyMarkup?.inline_keyboard.flat() ?? [];
    expect(buttons.map((b) => b.text)).toEqual(['Done', 'Snooze 20 min', 'Snooze 1h', 'Tomorrow']);
    const done = buttons[0] && 'callback_data' in buttons[0] ? String(buttons[0].callback_data) : '';
    telegram.pressButton(OWNER, OWNER.id, message?.message_id ?? 0, done);
    await telegram.waitFor(() => telegram.callsTo('answerCallbackQuery').some((call) => JSON.stringify(call).includes('Done.')), 60_000);
    // Another minute of checks: still one message.
    await daemon.waitForLog((line) => line.msg === 'routine check done', 90_000);
    expect(fired()).toHaveLength(1);
  });
});
