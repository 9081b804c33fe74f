import type { Db } from '../db/index.js';
import type { LanguageModel } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { ReplyChannel } from '../messenger/index.js';
import type { CommandRegistry } from '../commands/index.js';
import { ChatHandlers, type ChatTurn } from '../commands/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import type { ChatEngine, ChatTarget } from './chat-engine.js';
import { currentThread, endThread, historyTurns, isUnanswered, latestAnswer, latestUserTurn, latestUserTurnInChat, saveSummary, setTurnStatus, addTurn } from './conversation-repo.js';
import type { DeepThink } from './deep-think.js';
import { distill, extractiveSummary } from './distiller.js';
import { formatDay } from './system-prompt.js';
import { nextEffectKey } from '../outbox/index.js';

export interface AssistantCommandDeps {
  db: Db;
  llm: LanguageModel;
  engine: ChatEngine;
  deepThink: DeepThink;
  /** Shows "typing…" while an answer is being worked on. */
  replies: ReplyChannel;
  registry: CommandRegistry;
  log: Logger;
  timeZone: string;
  now?: () => Date;
}

export const NEW_KEPT = 'Fresh start. The last conversation is summarized and kept: it can come back as context when it is relevant.';
export const NEW_NOTHING_TO_KEEP = 'Fresh start. There was no conversation yet, so there is nothing to summarize.';
export const RETRY_ANSWERED = 'Nothing to retry: your last message was answered.';
export const RETRY_NO_MESSAGE = 'Nothing to retry: you have not sent a message in this conversation yet.';
export const RETRY_UNANSWERED_BEFORE_NEW =
  'Nothing to retry in this conversation: /new started a fresh one. Your last message before it was not answered; send it again to ask now.';

/** Tokens a closed thread's final summary may take. */
const FINAL_SUMMARY_TOKENS = 300;

export function targetOf(turn: ChatTurn): ChatTarget | undefined {
  const chatId = turn.chatId;
  if (chatId === undefined) return undefined;
  return { chatId, privateChat: turn.privateChat };
}

/** Free text goes to Z; /new, /retry, /why and /think steer the conversation. */
export function assistantCommands(deps: AssistantCommandDeps): ChatHandlers {
  const { db, engine, registry, log } = deps;
  const now = deps.now ?? (() => new Date());
  registry.add({ command: 'new', description: 'Start a fresh conversation (the old one is summarized and kept searchable)' });
  registry.add({ command: 'retry', description: 'Ask the local model again for the message it could not answer' });
  registry.add({ command: 'why', description: 'What the last answer drew on: notes, memories, tasks, tools' });
  registry.add({ command: 'think', description: 'Deep think with the cloud model, after you see and approve what would be sent', args: '<question>' });
  const handlers = new ChatHandlers();

  handlers.command('new', async (request) => {
    const target = targetOf(request);
    if (!target) return;
    const thread = await currentThread(db, target.chatId);
    const pending = await historyTurns(db, thread.id, thread.summarizedThrough);
    await endThread(db, thread.id, now());
    const hadConversation = pending.length > 0 || thread.summarizedThrough > 0;
    await request.reply(hadConversation ? NEW_KEPT : NEW_NOTHING_TO_KEEP);
    const last = pending.at(-1);
    if (!last) return;
    // The summary is written after the reply: the owner does not wait for the model.
    let summary: string;
    try {
      summary = await distill(deps.llm, thread.summary, pending, FINAL_SUMMARY_TOKENS);
    } catch (err) {
      log.warn({ err, threadId: thread.id }, 'could not summarize the closed thread with the local model; keeping its own words');
      summary = extractiveSummary(thread.summary, pending);
    }
    await saveSummary(db, thread.id, summary, last.id);
  });

  handlers.command('retry', async (request) => {
    const target = targetOf(request);
    if (!target) return;
    const thread = await currentThread(db, target.chatId);
    const turn = await latestUserTurn(db, thread.id);
    if (!turn || !isUnanswered(turn)) {
      await request.reply(turn ? RETRY_ANSWERED : await nothingInThisConversation(target.chatId));
      return;
    }
    const stopTyping = deps.replies.typing(target.chatId);
    try {
      await setTurnStatus(db, turn.id, 'pending');
      await engine.answer(thread, turn, target);
    } finally {
      stopTyping();
    }
  });

  /** /retry in a conversation with no message yet: say whether the one before /new was left unanswered. */
  async function nothingInThisConversation(chatId: number): Promise<string> {
    const earlier = await latestUserTurnInChat(db, chatId);
    return earlier && isUnanswered(earlier) ? RETRY_UNANSWERED_BEFORE_NEW : RETRY_NO_MESSAGE;
  }

  handlers.command('why', async (request) => {
    const target = targetOf(request);
    if (!target) return;
    const answer = await latestAnswer(db, target.chatId);
    if (!answer) {
      await request.reply('There is no answer yet to explain.');
      return;
    }
    const used = answer.used ?? { items: [], tools: [] };
    const lines = ['<b>What my last answer drew on</b>'];
    if (used.speaker !== undefined) lines.push(`Answered by: ${escapeHtml(used.speaker)}`);
    if (used.items.length === 0) lines.push('No stored notes, memories or tasks: only this conversation.');
    used.items.forEach((item, index) => {
      const when = item.date ? `, ${formatDay(new Date(item.date), deps.timeZone)}` : '';
      const score = item.score !== undefined ? `, relevance ${item.score.toFixed(2)}` : '';
      const author = item.author !== undefined ? `, written by ${escapeHtml(item.author)}` : '';
      lines.push(`${index + 1}. [${escapeHtml(item.source)}${when}${score}${author}] ${escapeHtml(item.label)}`);
    });
    if (used.tools.length > 0) lines.push(`Tools: ${used.tools.map(escapeHtml).join(', ')}`);
    await request.reply(lines.join('\n'), { html: true });
  });

  handlers.command('think', async (request) => {
    const target = targetOf(request);
    if (!target) return;
    const question = request.args.trim();
    if (question === '') {
      await request.reply('Usage: /think <question>. You will see exactly what would be sent to the cloud model before anything leaves this machine.');
      return;
    }
    await deps.deepThink.ask(question, target.chatId);
  });

  handlers.text(async (message) => {
    const text = message.text;
    // Commands nobody claimed go on to the fallback ("I don't know /x").
    if (/^\/[A-Za-z0-9_]/.test(text)) return 'pass';
    const target = targetOf(message);
    if (!target) return 'pass';
    // Typing first: the owner sees life before anything else happens.
    const stopTyping = deps.replies.typing(target.chatId);
    try {
      const thread = await currentThread(db, target.chatId);
      // Keyed by the update's effect scope: a replay after a crash finds this turn again.
      const originKey = nextEffectKey('chat-turn');
      const turn = await addTurn(db, { threadId: thread.id, role: 'user', content: text, status: 'pending', ...(originKey ? { originKey } : {}) });
      if (turn.status !== 'pending') return; // A replay of a turn already answered or reported.
      await engine.answer(thread, turn, target);
    } finally {
      stopTyping();
    }
  });

  return handlers;
}
