import { describe, expect, it } from 'vitest';
import { LlmError, ModelQueue, MAX_PREEMPTIONS, type ChatRequest, type ChatResult, type LanguageModel } from '../../src/llm/index.js';

/** A model whose calls finish only when the test says so; it honours aborts like the adapters do. */
class HeldModel implements LanguageModel {
  readonly provider = 'fake';
  readonly model = 'held';
  readonly calls: { tag: string; finish: (text?: string) => void; aborted: boolean }[] = [];

  chat(request: ChatRequest, onDelta?: (text: string) => void): Promise<ChatResult> {
    const tag = request.messages[0]?.content ?? '';
    return new Promise((resolve, reject) => {
      const call = {
        tag,
        aborted: false,
        finish: (text = `answer to ${tag}`) => {
          onDelta?.(text);
          resolve({ content: text, toolCalls: [], model: 'held', bytesSent: 0, bytesReceived: 0 });
        },
      };
      request.signal?.addEventListener('abort', () => {
        call.aborted = true;
        reject(new LlmError({ kind: 'aborted', provider: 'fake', model: 'held', message: 'aborted', hint: '' }));
      });
      this.calls.push(call);
    });
  }

  async probe() {
    return { ok: true as const, detail: 'fake' };
  }

  /** The call running now (the last one started and not yet finished or aborted). */
  current(): { tag: string; finish: (text?: string) => void; aborted: boolean } {
    const call = this.calls.at(-1);
    if (!call) throw new Error('no call started');
    return call;
  }
}

const ask = (tag: string): ChatRequest => ({ messages: [{ role: 'user', content: tag }] });
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('the model queue', () => {
  it('runs one call at a time: foreground first, then the COS, then background, FIFO within a class', async () => {
    const model = new HeldModel();
    const queue = new ModelQueue(model);
    const done: string[] = [];
    const track = (lane: 'foreground' | 'cos' | 'background', tag: string) => queue.lane(lane).chat(ask(tag)).then(() => done.push(tag));
    const first = track('cos', 'cos-1');
    await settle();
    const pending = [track('background', 'bg-1'), track('background', 'bg-2'), track('cos', 'cos-2'), track('foreground', 'fg-1'), track('foreground', 'fg-2')];
    await settle();
    expect(model.calls).toHaveLength(1);
    expect(queue.snapshot()).toEqual({ running: 'cos', waiting: ['foreground', 'foreground', 'cos', 'background', 'background'] });
    for (let i = 0; i < 6; i += 1) {
      model.current().finish();
      await settle();
    }
    await Promise.all([first, ...pending]);
    expect(done).toEqual(['cos-1', 'fg-1', 'fg-2', 'cos-2', 'bg-1', 'bg-2']);
    expect(model.calls.map((call) => call.tag)).toEqual(done);
  });

  it('a running background call is stopped for the owner and restarted after the reply', async () => {
    const model = new HeldModel();
    const preempted: string[] = [];
    const queue = new ModelQueue(model, { preempted: (priority) => preempted.push(priority) });
    const heartbeat = queue.lane('background').chat(ask('heartbeat'));
    await settle();
    expect(model.current().tag).toBe('heartbeat');
    const reply = queue.lane('foreground').chat(ask('owner'));
    await settle();
    expect(model.calls[0]?.aborted).toBe(true);
    expect(model.current().tag).toBe('owner');
    model.current().finish('hello owner');
    expect((await reply).content).toBe('hello owner');
    await settle();
    expect(model.current().tag).toBe('heartbeat');
    model.current().finish('all quiet');
    expect((await heartbeat).content).toBe('all quiet');
    expect(preempted).toEqual(['background']);
  });

  it('a COS call is never stopped, and a background call is never stopped for another background call', async () => {
    const model = new HeldModel();
    const queue = new ModelQueue(model);
    const cos = queue.lane('cos').chat(ask('cos'));
    await settle();
    const reply = queue.lane('foreground').chat(ask('owner'));
    await settle();
    expect(model.calls).toHaveLength(1);
    expect(model.calls[0]?.aborted).toBe(false);
    model.current().finish();
    await cos;
    await settle();
    const bg1 = queue.lane('background').chat(ask('bg-1'));
    model.current().finish();
    await reply;
    await settle();
    const bg2 = queue.lane('background').chat(ask('bg-2'));
    await settle();
    expect(model.current().tag).toBe('bg-1');
    expect(model.current().aborted).toBe(false);
    model.current().finish();
    await settle();
    model.current().finish();
    await Promise.all([bg1, bg2]);
  });

  it('a caller that gives up while waiting is removed from the queue with an aborted error', async () => {
    const model = new HeldModel();
    const queue = new ModelQueue(model);
    const running = queue.lane('foreground').chat(ask('first'));
    const controller = new AbortController();
    const waiting = queue.lane('background').chat({ ...ask('withdrawn'), signal: controller.signal });
    await settle();
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ kind: 'aborted' });
    model.current().finish();
    await running;
    await settle();
    expect(model.calls.map((call) => call.tag)).toEqual(['first']);
    expect(queue.snapshot()).toEqual({ running: undefined, waiting: [] });
  });

  it('a model error reaches its caller and the queue goes on', async () => {
    const model = new HeldModel();
    const queue = new ModelQueue(model);
    const controller = new AbortController();
    const failing = queue.lane('foreground').chat({ ...ask('fails'), signal: controller.signal });
    const after = queue.lane('foreground').chat(ask('after'));
    await settle();
    controller.abort();
    await expect(failing).rejects.toBeInstanceOf(LlmError);
    await settle();
    model.current().finish('fine');
    expect((await after).content).toBe('fine');
  });

  it(`a background call pushed back ${MAX_PREEMPTIONS} times is let finish`, async () => {
    const model = new HeldModel();
    const queue = new ModelQueue(model);
    const heartbeat = queue.lane('background').chat(ask('heartbeat'));
    for (let i = 0; i < MAX_PREEMPTIONS; i += 1) {
      await settle();
      const reply = queue.lane('foreground').chat(ask(`owner-${i}`));
      await settle();
      model.current().finish();
      await reply;
    }
    await settle();
    expect(model.current().tag).toBe('heartbeat');
    const reply = queue.lane('foreground').chat(ask('owner-last'));
    await settle();
    expect(model.current().tag).toBe('heartbeat');
    expect(model.current().aborted).toBe(false);
    model.current().finish();
    await heartbeat;
    await settle();
    model.current().finish();
    await reply;
  });
});
