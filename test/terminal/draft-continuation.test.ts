import { describe, expect, it } from 'vitest';
import { draftContinuation } from '../../src/channels/terminal/draft-continuation.js';

describe('a streamed draft and the final message', () => {
  it('continues the draft when the final text starts with it', () => {
    expect(draftContinuation('Hello', 'Hello there')).toBe(5);
  });

  it('is the same answer when only the Markdown was formatted away', () => {
    const shown = 'The answer is **4**. Two plus two makes _four_.';
    const final = 'The answer is 4. Two plus two makes four.';
    expect(draftContinuation(shown, final)).toBe(final.length);
    expect(draftContinuation(shown, `${final}\n\n🧠 gpt-4o · 120 tokens`)).toBe(final.length);
  });

  it('matches lists, headings and links whose marks changed, and letters outside ASCII', () => {
    const shown = '# Plan\n- Zürich at `9:00`\n- see [the map](https://example.org)';
    const final = 'Plan\n• Zürich at 9:00\n• see the map (https://example.org)';
    expect(draftContinuation(shown, final)).toBe(final.length);
  });

  it('is not the same answer when a word differs, or the final is shorter', () => {
    expect(draftContinuation('The answer is **4**.', 'The answer is 5.')).toBeUndefined();
    expect(draftContinuation('The answer is **4** because', 'The answer is 4.')).toBeUndefined();
    expect(draftContinuation('', 'anything')).toBe(0);
    expect(draftContinuation('…', 'anything')).toBeUndefined();
  });
});
