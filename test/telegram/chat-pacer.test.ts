import type { Transformer } from 'grammy';
import { describe, expect, it } from 'vitest';
import { chatPacer, type PacerClock, type PacerLimits } from '../../src/channels/telegram/chat-pacer.js';

/** A clock that only moves when someone sleeps on it: waits are exact and instant. */
function virtualClock(): PacerClock & { sleeps: number[] } {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

const LIMITS: PacerLimits = { privateBurst: 3, privateIntervalMs: 1_000, groupBurst: 2, groupIntervalMs: 3_000, globalBurst: 100, globalIntervalMs: 10 };

type Prev = Parameters<Transformer>[0];

function recorder(clock: PacerClock): { prev: Prev; calls: Array<{ method: string; at: number }> } {
  const calls: Array<{ method: string; at: number }> = [];
  const prev = (async (method: string) => {
    calls.push({ method, at: clock.now() });
    return { ok: true, result: true };
  }) as unknown as Prev;
  return { prev, calls };
}

describe('chatPacer', () => {
  it('lets a burst through, then spaces messages to one per interval in a private chat', async () => {
    const clock = virtualClock();
    const pacer = chatPacer(LIMITS, clock);
    const { prev, calls } = recorder(clock);
    for (let i = 0; i < 6; i += 1) await pacer(prev, 'sendMessage', { chat_id: 42, text: `m${i}` } as never);
    const start = calls[0]!.at;
    expect(calls.map((c) => c.at - start)).toEqual([0, 0, 0, 1_000, 2_000, 3_000]);
  });

  it('paces each chat on its own, and groups more slowly', async () => {
    const clock = virtualClock();
    const pacer = chatPacer(LIMITS, clock);
    const { prev, calls } = recorder(clock);
    for (let i = 0; i < 3; i += 1) await pacer(prev, 'sendMessage', { chat_id: -100, text: 'g' } as never);
    const groupWaits = [...clock.sleeps];
    expect(groupWaits).toEqual([3_000]);
    // Another private chat still has its whole burst.
    for (let i = 0; i < 3; i += 1) await pacer(prev, 'sendMessage', { chat_id: 7, text: 'p' } as never);
    expect(clock.sleeps).toEqual(groupWaits);
    expect(calls).toHaveLength(6);
  });

  it('never delays calls that put nothing in a chat', async () => {
    const clock = virtualClock();
    const pacer = chatPacer(LIMITS, clock);
    const { prev } = recorder(clock);
    for (let i = 0; i < 50; i += 1) await pacer(prev, 'sendChatAction', { chat_id: 42, action: 'typing' } as never);
    for (let i = 0; i < 50; i += 1) await pacer(prev, 'answerCallbackQuery', { callback_query_id: 'x' } as never);
    expect(clock.sleeps).toEqual([]);
  });

  it('refills: after a quiet spell the burst is available again', async () => {
    const clock = virtualClock();
    const pacer = chatPacer(LIMITS, clock);
    const { prev } = recorder(clock);
    for (let i = 0; i < 3; i += 1) await pacer(prev, 'sendMessage', { chat_id: 42 } as never);
    await clock.sleep(10_000);
    clock.sleeps.length = 0;
    for (let i = 0; i < 3; i += 1) await pacer(prev, 'editMessageText', { chat_id: 42, message_id: 1 } as never);
    expect(clock.sleeps).toEqual([]);
  });
});
