import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlToPlainText, isEntityParseError, visibleLength } from '../../src/channels/telegram/format/index.js';

describe('escapeHtml', () => {
  it('escapes the characters Telegram requires, and quotes for attributes', () => {
    expect(escapeHtml('a < b && c > "d"')).toBe('a &lt; b &amp;&amp; c &gt; &quot;d&quot;');
  });

  it('escapes an existing entity again instead of trusting it', () => {
    expect(escapeHtml('&amp; &lt;b&gt;')).toBe('&amp;amp; &amp;lt;b&amp;gt;');
  });

  it('leaves other text, including emoji and apostrophes, alone', () => {
    expect(escapeHtml("it's 😀 ünïcode\n")).toBe("it's 😀 ünïcode\n");
  });
});

describe('htmlToPlainText', () => {
  it('drops tags and decodes the entities Telegram supports', () => {
    expect(htmlToPlainText('<b>a &lt; b</b> &amp; <a href="https://x.y/?a=1&amp;b=2">c</a> &quot;q&quot;')).toBe(
      'a < b & c "q"',
    );
  });

  it('decodes decimal and hex numeric entities, including astral code points', () => {
    expect(htmlToPlainText('&#128512;&#x1F600;&#65;')).toBe('😀😀A');
  });

  it('round-trips escaped text', () => {
    const text = 'x < y & "z" > w 😀';
    expect(htmlToPlainText(escapeHtml(text))).toBe(text);
  });

  it('keeps a stray ampersand or unsupported named entity as literal text', () => {
    expect(htmlToPlainText('a & b &nbsp; c')).toBe('a & b &nbsp; c');
  });
});

describe('visibleLength', () => {
  it('counts decoded text, not markup', () => {
    expect(visibleLength('<b>ab</b>&amp;<a href="https://long.example/">c</a>')).toBe(4);
  });

  it('counts UTF-16 code units, as Telegram does', () => {
    expect(visibleLength('😀')).toBe(2);
    expect(visibleLength('&#128512;')).toBe(2);
    expect(visibleLength('é')).toBe(1);
    expect(visibleLength('👩‍💻')).toBe(5);
  });
});

describe('isEntityParseError', () => {
  it('recognises the error grammY throws for rejected entities', () => {
    const err = Object.assign(new Error('Call to sendMessage failed'), {
      ok: false,
      error_code: 400,
      description: "Bad Request: can't parse entities: Unsupported start tag \"foo\" at byte offset 0",
      method: 'sendMessage',
    });
    expect(isEntityParseError(err)).toBe(true);
  });

  it('rejects other errors and non-objects', () => {
    expect(isEntityParseError({ error_code: 400, description: 'Bad Request: message is too long' })).toBe(false);
    expect(isEntityParseError({ error_code: 403, description: "Bad Request: can't parse entities" })).toBe(false);
    expect(isEntityParseError({ error_code: '400', description: "Bad Request: can't parse entities" })).toBe(false);
    expect(isEntityParseError(new Error("Bad Request: can't parse entities"))).toBe(false);
    expect(isEntityParseError(null)).toBe(false);
    expect(isEntityParseError("Bad Request: can't parse entities")).toBe(false);
  });
});
