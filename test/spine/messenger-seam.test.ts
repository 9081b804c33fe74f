import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

/**
 * Files outside the channels that still talk to the Bot API directly: only the composition
 * root, which builds the channel's adapters. Features send, edit, reply and attach files
 * through the messenger and command ports. The list only shrinks: a new file that sends
 * through grammY instead of a port fails here.
 */
const STILL_DIRECT = new Set(['app/app.ts']);
/** The composition root builds the channel's adapters for features. */
const BUILDS_ADAPTERS = new Set(['app/features.ts', 'app/app.ts']);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const outsideChannels = sourceFiles(SRC)
  .map((file) => ({ rel: path.relative(SRC, file).split(path.sep).join('/'), text: fs.readFileSync(file, 'utf8') }))
  .filter(({ rel }) => !rel.startsWith('channels/'));

describe('messenger port seam', () => {
  it("outside the channels, nothing holds grammY's Bot API client, except the files still listed", () => {
    const direct = outsideChannels
      .filter(({ text }) => /import\s[^;]*\b(Api|Bot)\b[^;]*from\s+'grammy'/.test(text))
      .map(({ rel }) => rel)
      .sort();
    expect(direct.filter((rel) => !STILL_DIRECT.has(rel))).toEqual([]);
  });

  it('board, memory, approvals and routines send through the messenger ports, never sendText/editText', () => {
    const senders = outsideChannels
      .filter(({ text }) => /\b(sendText|editText)\b[^;]*from\s+'[./]*\/?channels\/telegram/.test(text) || /import\s*\{[^}]*\b(sendText|editText)\b[^}]*\}\s*from\s+'[^']*channels\/telegram/.test(text))
      .map(({ rel }) => rel)
      .filter((rel) => !STILL_DIRECT.has(rel) && !BUILDS_ADAPTERS.has(rel));
    expect(senders).toEqual([]);
  });

  it('outside the channels and the composition root, no file imports grammY at all, types included', () => {
    const importers = outsideChannels
      .filter(({ rel }) => !rel.startsWith('app/'))
      .filter(({ text }) => /from\s+'(grammy|@grammyjs\/[^']+)(\/[^']*)?'/.test(text))
      .map(({ rel }) => rel);
    expect(importers).toEqual([]);
  });
});
