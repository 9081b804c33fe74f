import type { Approval, ApprovalService } from '../approvals/index.js';
import { writeAudit } from '../audit/index.js';
import type { ContextItem, ContextProvider } from '../context/index.js';
import type { Db } from '../db/index.js';
import { CLOUD_USER_AGENT, DISCLOSED_HEADERS, LlmError, type ChatMessage, type LanguageModel } from '../llm/index.js';
import type { Logger } from '../log/index.js';
import type { ReplyChannel } from '../messenger/index.js';
import { escapeHtml } from '../channels/telegram/format/index.js';
import { currentThread, recentTurns } from './conversation-repo.js';
import { selectContext } from './context-selection.js';
import { buildDeepThinkPayload, clip, DeepThinkPayload, type DeepThinkOption } from './deep-think-payload.js';
import { pageBody } from './deep-think-pages.js';
import { cloudFailureText } from './llm-failure.js';
import { formatDay } from './system-prompt.js';

export interface DeepThinkDeps {
  db: Db;
  /** Where the disclosure and the answer go (Telegram or the terminal). */
  replies: ReplyChannel;
  approvals: ApprovalService;
  /** The cloud model; undefined when DEEP_THINK_* is not configured. */
  cloud: LanguageModel | undefined;
  /** DEEP_THINK_BASE_URL, for the host named in the disclosure and the audit log. */
  cloudBaseUrl: string | undefined;
  providers: ContextProvider[];
  log: Logger;
  timeZone: string;
}

const KIND = 'deep-think';
const RECENT_TURNS = 6;

type Serializing = LanguageModel & { serializeRequest: (request: { messages: ChatMessage[] }) => string };

function canSerialize(model: LanguageModel): model is Serializing {
  return typeof model.serializeRequest === 'function';
}

/**
 * /think: a question for the cloud model, sent only after the owner saw exactly what would
 * leave the machine (provider, model, host, every context item, the byte count of each option)
 * and tapped. The stored payload is sent byte for byte; the call is audited with its hash.
 */
export class DeepThink {
  readonly #deps: DeepThinkDeps;

  constructor(deps: DeepThinkDeps) {
    this.#deps = deps;
    deps.approvals.on(KIND, (approval, choice) => this.#decided(approval, choice.id, choice.approves));
  }

  async ask(question: string, chatId: number): Promise<void> {
    const { replies, cloud, cloudBaseUrl } = this.#deps;
    if (!cloud || !cloudBaseUrl) {
      await replies.send(
        chatId,
        [
          'Deep think is not configured, so nothing was sent.',
          'To use it, set DEEP_THINK_BASE_URL, DEEP_THINK_API_KEY and DEEP_THINK_MODEL (OpenAI, Groq, OpenRouter or any OpenAI-compatible API) and restart.',
          `Your question, kept here to ask again: ${question}`,
        ].join('\n'),
      );
      return;
    }
    if (!canSerialize(cloud)) {
      await replies.send(chatId, 'Deep think is off: the configured cloud adapter cannot state the exact bytes it would send, so it cannot be disclosed. Nothing was sent.');
      return;
    }
    const items = await this.#candidates(question, chatId);
    const payload = buildDeepThinkPayload({ cloud, host: hostOf(cloudBaseUrl), question, items, timeZone: this.#deps.timeZone });
    await this.#offer(payload, chatId, items, false);
  }

  /** Recent conversation, the thread's summary, and what the providers find for the question. */
  async #candidates(question: string, chatId: number): Promise<ContextItem[]> {
    const { db, providers, log } = this.#deps;
    const thread = await currentThread(db, chatId);
    const items: ContextItem[] = [];
    if (thread.summary) {
      items.push({ source: 'conversation', label: 'Summary of this conversation so far', text: thread.summary, date: thread.startedAt, ref: `thread:${thread.id}` });
    }
    const recent = await recentTurns(db, thread.id, RECENT_TURNS);
    const last = recent.at(-1);
    if (last) {
      const transcript = recent.map((turn) => `${turn.role === 'user' ? 'Me' : 'Assistant'}: ${clip(turn.content, 600)}`).join('\n');
      items.push({ source: 'conversation', label: `This conversation: last ${recent.length} messages`, text: transcript, date: last.createdAt, ref: `thread:${thread.id}` });
    }
    const found = await selectContext(providers, question, 'deep-think', { topK: 8, minScore: 0.3, timeoutMs: 5_000 }, log);
    return [...items, ...found.items];
  }

  /**
   * Shows the owner every byte that would leave: the exact request body of each option, paged
   * into as many messages as it needs, then the request with its buttons, naming the headers
   * and the byte count of each body. Nothing is summarised or shortened.
   */
  async #offer(payload: DeepThinkPayload, chatId: number, items: Array<{ source: string; label: string; date?: Date }>, retry: boolean): Promise<void> {
    const { replies, approvals, cloudBaseUrl } = this.#deps;
    const options = [
      ...(payload.withContext ? [{ label: 'Send with context', option: payload.withContext }] : []),
      { label: 'Send question only', option: payload.questionOnly },
    ];
    const parts = new Map<string, number>();
    for (const { label, option } of options) {
      const pages = pageBody(option.body);
      parts.set(label, pages.length);
      for (const [index, page] of pages.entries()) {
        await replies.send(chatId, `${disclosurePageHeading(label, index, pages.length, option.bytes)}\n<pre>${escapeHtml(page)}</pre>`, { html: true });
      }
    }
    const exact = (label: string, bytes: number): string => {
      const count = parts.get(label) ?? 1;
      return `${label}: <b>${bytes} bytes</b>, exactly the request body shown above (${count === 1 ? '1 message' : `${count} messages`})`;
    };
    const lines = [
      retry ? '<b>Try deep think again?</b> Nothing is sent until you tap.' : '<b>Deep think: this would leave your machine</b>',
      `To: ${escapeHtml(payload.provider)} · model <code>${escapeHtml(payload.model)}</code> · host <code>${escapeHtml(payload.host)}</code>${cloudBaseUrl ? ` (${escapeHtml(cloudBaseUrl)})` : ''}`,
      `Headers: ${DISCLOSED_HEADERS.map(([, shown]) => escapeHtml(shown)).join(' · ')} · User-Agent: ${CLOUD_USER_AGENT}; nothing else but what HTTP itself needs (Host, Content-Length).`,
      `Question: ${escapeHtml(clip(payload.question, 300))}${payload.question.trim().length > 300 ? ' (in full in the request above)' : ''}`,
    ];
    if (payload.withContext) {
      lines.push('', `<b>Context that “Send with context” adds (${payload.items.length} item${payload.items.length === 1 ? '' : 's'}, in full in the request above):</b>`);
      items.forEach((item, index) => {
        const when = item.date ? `, ${formatDay(item.date, this.#deps.timeZone)}` : '';
        lines.push(`${index + 1}. [${escapeHtml(item.source)}${when}] ${escapeHtml(item.label)}`);
      });
      lines.push('', exact('Send with context', payload.withContext.bytes));
    } else {
      lines.push('', 'No local context found for this question.');
    }
    lines.push(exact('Send question only', payload.questionOnly.bytes), 'Nothing leaves this machine until you tap.');
    await approvals.request({
      kind: KIND,
      payload,
      summary: lines.join('\n'),
      html: true,
      choices: [
        ...(payload.withContext ? [{ id: 'ctx', label: 'Send with context', approves: true }] : []),
        { id: 'q', label: 'Send question only', approves: true },
        { id: 'no', label: 'Cancel', approves: false },
      ],
      chatId,
    });
  }

  async #decided(approval: Approval, choiceId: string, approves: boolean): Promise<string> {
    const payload = DeepThinkPayload.parse(approval.payload);
    if (!approves) return 'Cancelled. Nothing was sent. Your question stays above; /think asks again.';
    const chosen = choiceId === 'ctx' ? payload.withContext : payload.questionOnly;
    if (!chosen) return 'That option no longer exists. Nothing was sent.';
    const { cloud } = this.#deps;
    if (!cloud || cloud.model !== payload.model || cloud.provider !== payload.provider) {
      return 'Deep think is no longer configured as disclosed (provider or model changed). Nothing was sent; /think asks again.';
    }
    return this.#send(payload, chosen, choiceId, approval);
  }

  async #send(payload: DeepThinkPayload, chosen: DeepThinkOption, choiceId: string, approval: Approval): Promise<string> {
    const { db, replies, cloud, log } = this.#deps;
    if (!cloud) return 'Deep think is not configured. Nothing was sent.';
    const chatId = approval.chatId;
    const sink = replies.stream(chatId, { privateChat: chatId > 0 });
    const audit = { approvalId: approval.id, model: payload.model, option: choiceId === 'ctx' ? 'with-context' : 'question-only', sha256: chosen.sha256, items: choiceId === 'ctx' ? payload.items.length : 0 };
    try {
      // The draft carries the same 🧠 mark as the final message, so a channel that shows both
      // (the terminal) can tell that the final message continues the draft.
      let started = false;
      const onDelta = (text: string): void => {
        if (started) return sink.push(text);
        const first = text.trimStart();
        if (first === '') return;
        started = true;
        sink.push(`🧠 ${first}`);
      };
      const result = await cloud.chat({ messages: chosen.messages, exactBody: chosen.body }, onDelta);
      await writeAudit(db, {
        actor: 'owner',
        action: 'cloud:deep-think',
        destination: payload.host,
        bytesOut: result.bytesSent,
        bytesIn: result.bytesReceived,
        detail: { ...audit, what: `Deep think with ${payload.model}` },
      });
      await sink.finish(`🧠 ${result.content.trim() || '(the cloud model returned an empty answer)'}`);
      return `Sent ${result.bytesSent} bytes to ${payload.host} (${payload.model}); received ${result.bytesReceived} bytes. The answer is the 🧠 message.`;
    } catch (err) {
      await sink.abandon();
      if (!(err instanceof LlmError)) throw err;
      log.warn({ kind: err.kind, status: err.status, host: payload.host }, 'deep think failed');
      await writeAudit(db, {
        actor: 'owner',
        action: 'cloud:deep-think-failed',
        destination: payload.host,
        detail: { ...audit, what: `Deep think with ${payload.model} failed: ${err.kind}`, attempted: true },
      });
      await replies.send(chatId, cloudFailureText(err, payload.host));
      // Nothing is lost: the same approved payload is offered again, behind a fresh tap.
      await this.#offer(payload, chatId, payload.items, true);
      return `Failed: ${err.message}. A new request to try again is below.`;
    }
  }
}

/** The first line of each page of a disclosed request body; the body follows on the next line. */
export function disclosurePageHeading(label: string, index: number, count: number, bytes: number): string {
  return `📄 Deep think, “${escapeHtml(label)}”: the exact request body (${bytes} bytes), part ${index + 1} of ${count}:`;
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}
