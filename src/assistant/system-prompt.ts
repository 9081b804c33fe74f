import path from 'node:path';
import type { ContextItem } from '../context/index.js';
import { WatchedFile } from './watched-file.js';
import { formatNow } from '../tools/builtin/current-time.js';

/** Where the persona and the owner's background live, relative to the working directory. */
export interface PersonaPaths {
  character: string;
  aboutMe: string;
}

export function defaultPersonaPaths(cwd: string = process.cwd()): PersonaPaths {
  return { character: path.join(cwd, 'agent-character.md'), aboutMe: path.join(cwd, 'personal', 'about-me.md') };
}

const FALLBACK_CHARACTER =
  'You are Z, the private chief of staff of one person, your owner. Be calm, warm and direct; ' +
  'answer first, no filler. Never send anything outside this chat by yourself: draft, and let the owner decide.';

export interface PromptParts {
  now: Date;
  timeZone: string;
  items: ContextItem[];
  summary: string | null;
  paused: boolean;
  toolsAvailable: boolean;
  /** The speaker's persona, replacing the character file (a specialist's soul). */
  character?: string;
}

/** Builds Z's system prompt from the persona files (re-read when they change) and the moment. */
export class SystemPrompt {
  readonly #character: WatchedFile;
  readonly #aboutMe: WatchedFile;

  constructor(paths: PersonaPaths) {
    this.#character = new WatchedFile(paths.character);
    this.#aboutMe = new WatchedFile(paths.aboutMe);
  }

  async build(parts: PromptParts): Promise<string> {
    const character = parts.character !== undefined ? stripComments(parts.character) : stripComments((await this.#character.read()) ?? '') || FALLBACK_CHARACTER;
    const aboutMe = stripComments((await this.#aboutMe.read()) ?? '');
    const sections = [character];
    if (aboutMe) sections.push(`## About your owner (their own notes)\n\n${aboutMe}`);
    sections.push(`## Now\n\nIt is ${formatNow(parts.now, parts.timeZone)}.`);
    if (parts.paused) {
      sections.push('## Paused\n\nThe owner has paused all actions (/pause): tools that change anything will not run. Say so when it matters; /resume lifts it.');
    }
    if (parts.toolsAvailable) {
      sections.push('## Tools\n\nUse a tool only when it helps answer. Never claim an action happened unless its tool result says so.');
    }
    if (parts.summary) sections.push(`## Earlier in this conversation (summary)\n\n${parts.summary}`);
    if (parts.items.length > 0) {
      const lines = parts.items.map((item, index) => `[${index + 1}] (${item.source}${item.date ? `, ${formatDay(item.date, parts.timeZone)}` : ''}) ${item.text}`);
      sections.push(`## Notes that may be relevant (from the owner's own records; use them only if they help)\n\n${lines.join('\n')}`);
    }
    return sections.join('\n\n');
  }
}

function stripComments(text: string): string {
  return text.replace(/<!--[\s\S]*?-->/g, '').replace(/\n{3,}/g, '\n\n').trim();
}

export function formatDay(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, year: 'numeric', month: 'short', day: 'numeric' }).format(date);
}
