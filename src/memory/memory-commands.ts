import type { ApprovalService } from '../approvals/index.js';
import type { CommandRegistry } from '../commands/index.js';
import { ChatHandlers, type ButtonPress, type Buttons, type CommandRequest } from '../commands/index.js';
import type { OwnerButton } from '../messenger/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import type { Logger } from '../log/index.js';
import { EmbedderUnavailableError } from './embedder/index.js';
import { clipText, memoryDate, memoryLineHtml, shortId } from './memory-format.js';
import type { MemoryService } from './memory-service.js';
import { VectorStoreError } from './vector/index.js';

export const FORGET_APPROVAL_KIND = 'memory.forget';
export const PAGE_SIZE = 5;
/** /memory shows matches at or above this cosine similarity. */
export const SEARCH_MIN_SCORE = 0.2;
/** /forget <query> offers the best match only when it is at least this close. */
export const FORGET_MIN_SCORE = 0.3;

const PAGE_DATA = /^mem:p:(\d{1,6})$/;
const FORGET_DATA = /^mem:f:([0-9a-f-]{36}):(\d{1,6})$/;

export interface MemoryCommandDeps {
  service: MemoryService;
  approvals: ApprovalService;
  registry: CommandRegistry;
  timeZone: string;
  log: Logger;
}

/** /add, /memory, /memories (with forget and paging buttons), /forget, /reindex. */
export function memoryCommands(deps: MemoryCommandDeps): ChatHandlers {
  const { service, approvals, registry, timeZone } = deps;
  registry.add({ command: 'add', description: 'Remember something', args: '<text>' });
  registry.add({ command: 'memory', description: 'Search your memories (best matches, score, date, source)', args: '<query>' });
  registry.add({ command: 'memories', description: 'Page through all memories, newest first, with buttons to forget' });
  registry.add({ command: 'forget', description: 'Forget a memory (asks first)', args: '<query or id>' });
  registry.add({ command: 'reindex', description: 'Rebuild the memory search index from the database' });
  const handlers = new ChatHandlers();

  handlers.command('add', guarded(deps, async (request) => {
    const text = request.args.trim();
    if (text === '') {
      await request.reply('Usage: /add <text> — for example /add My passport expires in March 2027.');
      return;
    }
    const outcome = await service.add({ text, source: 'command', author: 'owner', sourceRef: `telegram:${request.chatId}:${request.messageId ?? 0}` });
    if (outcome.kind === 'added' && outcome.notSearchable !== undefined) {
      await request.reply(
        `Saved (<code>${shortId(outcome.memory.id)}</code>), but not searchable yet: ${escapeHtml(outcome.notSearchable)}. ` +
          `It is kept and becomes searchable by itself once the embedding model loads; /status says what to fix.`,
        { html: true },
      );
      return;
    }
    const pending = outcome.indexed ? '' : '\n(Qdrant is unreachable: saved in the database; it will be indexed in the background.)';
    if (outcome.kind === 'added') {
      await request.reply(`Remembered (<code>${shortId(outcome.memory.id)}</code>).${escapeHtml(pending)}`, { html: true });
      return;
    }
    const percent = Math.round(outcome.similarity * 100);
    await request.reply(
      `That is close (${percent}% similar) to a memory from ${memoryDate(outcome.previous.createdAt, timeZone)}, so I updated it instead of adding a second one.\n` +
        `Was: ${escapeHtml(clipText(outcome.previous.text, 300))}\nNow: ${escapeHtml(clipText(outcome.memory.text, 300))}${escapeHtml(pending)}`,
      { html: true },
    );
  }));

  handlers.command('memory', guarded(deps, async (request) => {
    const query = request.args.trim();
    if (query === '') {
      await request.reply('Usage: /memory <query> — for example /memory passport');
      return;
    }
    const { hits, note } = await service.search(query, { limit: 5, minScore: SEARCH_MIN_SCORE });
    const lines = hits.map((hit, i) => `${i + 1}. <b>${hit.match === 'meaning' ? hit.score.toFixed(2) : 'word match'}</b> · ${memoryLineHtml(hit.memory, timeZone)}`);
    const head = note ? `<i>${escapeHtml(note)}</i>\n` : '';
    await request.reply(head + (lines.length === 0 ? 'No memory matches that.' : [`<b>Best matches</b>`, ...lines].join('\n')), { html: true });
  }));

  handlers.command('memories', guarded(deps, async (request) => {
    const page = await renderPage(service, timeZone, 0);
    await request.reply(page.text, { html: true, ...(page.buttons ? { buttons: page.buttons } : {}) });
  }));

  handlers.command('forget', guarded(deps, async (request) => {
    const target = request.args.trim();
    if (target === '') {
      await request.reply('Usage: /forget <query or id> — the id is the short code /memories shows.');
      return;
    }
    if ((await service.list(0, 1)).total === 0) {
      await request.reply('You have no memories, so there is nothing to forget. /add &lt;text&gt; stores one.', { html: true });
      return;
    }
    let memory = undefined;
    if (/^[0-9a-f-]{4,36}$/i.test(target)) {
      const byId = await service.findByIdPrefix(target);
      if (byId.length > 1) {
        await request.reply('Several memories start with that id; give more of it.');
        return;
      }
      memory = byId[0];
    }
    if (!memory) {
      const [best] = (await service.search(target, { limit: 1, minScore: FORGET_MIN_SCORE })).hits;
      memory = best?.memory;
    }
    if (!memory) {
      await request.reply('No memory matches that. /memories lists them all.');
      return;
    }
    await approvals.request({
      kind: FORGET_APPROVAL_KIND,
      payload: { id: memory.id },
      summary: `Forget this memory?\n${memoryLineHtml(memory, timeZone, 500)}`,
      html: true,
      choices: [
        { id: 'forget', label: 'Forget it', approves: true },
        { id: 'keep', label: 'Keep it', approves: false },
      ],
      chatId: request.chatId,
    });
  }));

  handlers.command('reindex', guarded(deps, async (request) => {
    await request.reply('Rebuilding the memory index from the database…');
    const { indexed, reembedded, store } = await service.reindex();
    const where = store === 'qdrant' ? 'Qdrant' : 'the embedded index';
    await request.reply(`Reindexed ${indexed} memories into ${where}${reembedded > 0 ? ` (${reembedded} re-embedded with ${service.modelName})` : ''}.`);
  }));

  handlers.button(PAGE_DATA, async (press) => {
    const offset = Number(PAGE_DATA.exec(press.data)?.[1] ?? 0);
    await press.answer();
    await showPage(press, service, timeZone, offset);
  });

  handlers.button(FORGET_DATA, async (press) => {
    const [, id = '', offset = '0'] = FORGET_DATA.exec(press.data) ?? [];
    const forgotten = await service.forget(id);
    // The answer does not quote the text: it would be stored (outbox) after its copies were erased.
    await press.answer(forgotten ? 'Forgotten.' : 'That memory is already gone.');
    await showPage(press, service, timeZone, Number(offset));
  });

  // Stale or forged data that matches neither shape: say so, change nothing.
  handlers.button(/^mem:/, async (press) => {
    await press.answer('This button is no longer valid. Send /memories again.');
  });

  return handlers;
}

/** Registers what happens when the owner answers a /forget confirmation. */
export function registerForgetApproval(approvals: ApprovalService, service: MemoryService): void {
  approvals.on(FORGET_APPROVAL_KIND, async (approval, choice) => {
    if (!choice.approves) return 'Kept.';
    const payload = approval.payload;
    const id = typeof payload === 'object' && payload !== null && 'id' in payload && typeof payload.id === 'string' ? payload.id : '';
    const forgotten = await service.forget(id);
    return forgotten ? 'Forgotten: deleted from the database and the search index.' : 'It was already gone.';
  });
}

async function showPage(press: ButtonPress, service: MemoryService, timeZone: string, offset: number): Promise<void> {
  let page = await renderPage(service, timeZone, offset);
  // Forgetting the last one on a page: show the page before it.
  if (page.empty && offset > 0) page = await renderPage(service, timeZone, Math.max(0, offset - PAGE_SIZE));
  await press.edit(page.text, { html: true, buttons: page.buttons ?? [] });
}

async function renderPage(service: MemoryService, timeZone: string, offset: number): Promise<{ text: string; buttons?: Buttons; empty: boolean }> {
  const { items, total } = await service.list(offset, PAGE_SIZE);
  if (items.length === 0) {
    return { text: escapeHtml(total === 0 ? 'No memories yet. /add <text> stores one.' : 'Nothing on this page any more.'), empty: true };
  }
  const lines = items.map((memory, i) => `${offset + i + 1}. ${memoryLineHtml(memory, timeZone, 200)}`);
  const forgetRow: OwnerButton[] = items.map((memory, i) => ({ text: `🗑 ${offset + i + 1}`, data: `mem:f:${memory.id}:${offset}` }));
  const nav: OwnerButton[] = [];
  if (offset > 0) nav.push({ text: '‹ Newer', data: `mem:p:${Math.max(0, offset - PAGE_SIZE)}` });
  if (offset + items.length < total) nav.push({ text: 'Older ›', data: `mem:p:${offset + PAGE_SIZE}` });
  return {
    text: [`<b>Memories</b> ${offset + 1}–${offset + items.length} of ${total}, newest first`, ...lines].join('\n'),
    buttons: nav.length > 0 ? [forgetRow, nav] : [forgetRow],
    empty: false,
  };
}

/** Expected failures (model missing, vector store down) become a reply; anything else goes to the bot's error boundary. */
function guarded(deps: MemoryCommandDeps, handler: (request: CommandRequest) => Promise<void>): (request: CommandRequest) => Promise<void> {
  return async (request) => {
    try {
      await handler(request);
    } catch (error) {
      if (error instanceof EmbedderUnavailableError) {
        await request.reply(error.message);
        return;
      }
      if (error instanceof VectorStoreError) {
        deps.log.warn({ err: error }, 'memory command failed in the vector store');
        await request.reply(`The memory index failed: ${error.message}. Your memories are safe in the database; /reindex rebuilds the index.`);
        return;
      }
      throw error;
    }
  };
}
