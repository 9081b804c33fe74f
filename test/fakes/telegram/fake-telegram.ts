// A fake Telegram Bot API server on 127.0.0.1:<random port>, speaking the real wire protocol:
// POST/GET {apiRoot}/bot<token>/<method> with a JSON, urlencoded or query-string payload, answered
// with {ok:true,result[,description]} or {ok:false,error_code,description[,parameters]} and the
// matching HTTP status. grammY's real client works against it via `apiRoot`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

import { NOT_FOUND, TelegramApiError, UNAUTHORIZED } from './api-error.js';
import { ChangeSignal, describeCall, type RecordedCall, type UnexpectedEntry } from './call-log.js';
import type { StoredMessage } from './chat-store.js';
import { ChatStore } from './chat-store.js';
import type {
  CallbackQueryRecord,
  ChatActionRecord,
  DraftRecord,
  FakeState,
  ReactionRecord,
  WebhookState,
} from './fake-state.js';
import { FaultPlan, type InjectedError } from './fault-plan.js';
import { Described, LongPoll, METHODS } from './methods/index.js';
import { readPayload, UnsupportedBodyError } from './request-args.js';
import { UpdateQueue } from './update-queue.js';
import { hasButton, privateChatOf, toUser, userTextMessage, type FakeUserInput } from './user-updates.js';
import type { Payload, TgBotCommand, TgBotUser, TgChat, TgUpdate } from './wire-types.js';

/** Default ceiling for waitFor: generous, because a loaded 2-core machine can take tens of seconds. */
const WAIT_CEILING_MS = 60_000;

export const DEFAULT_TOKEN = '123456789:AAFakeTokenForOpenZeroTests_0123456';

export interface FakeTelegramOptions {
  /** Bot token the fake accepts; any other token gets 401. */
  token?: string;
  /** Overrides for getMe; `id` defaults to the number before ':' in the token. */
  botUser?: Partial<Omit<TgBotUser, 'is_bot'>>;
  /** update_id of the first update. Default 10000. */
  firstUpdateId?: number;
  /** Clock for Message.date and records, in ms. Default Date.now. */
  clock?: () => number;
  /** Length of one Bot API second in ms for long-poll timeouts and throttles. Default 1000. */
  msPerSecond?: number;
  /**
   * Model the real server's anti-hammering: repeated offset with timeout < 3 within 3 s waits 3 s,
   * and 409 answers are sent at most once per 3 s. Default false (it slows tests down).
   */
  serverThrottles?: boolean;
  /** Chats the bot may write to before any user message arrived (e.g. the owner's chat). */
  knownChats?: TgChat[];
}

export interface PressButtonOptions {
  /** Allow data that no button on the message carries (a stale client). Default false. */
  allowMissingButton?: boolean;
}

export interface FakeTelegram {
  /** e.g. http://127.0.0.1:PORT — pass as grammY `client.apiRoot`. */
  readonly apiRoot: string;
  readonly token: string;
  readonly botUser: TgBotUser;
  /** Every request, in arrival order. */
  readonly calls: readonly RecordedCall[];
  /** Requests for things the fake does not know or model. Tests should assert it is empty. */
  readonly unexpected: readonly UnexpectedEntry[];
  /** Highest offset a getUpdates applied: every update_id below it is confirmed and gone. */
  readonly confirmedOffset: number;
  /** True while a getUpdates request is held open. */
  readonly isPolling: boolean;
  readonly webhook: WebhookState | undefined;
  /** Updates dropped because allowed_updates excluded their type. */
  readonly filteredUpdates: readonly TgUpdate[];

  close(): Promise<void>;
  /** A user sends `text`; private chat with the user unless `chat` is given. Returns the update_id. */
  sendText(from: FakeUserInput, text: string, chat?: TgChat): number;
  /** A user presses an inline button on a message. Returns the update_id. */
  pressButton(from: FakeUserInput, chatId: number, messageId: number, data: string, options?: PressButtonOptions): number;
  /** Enqueues a raw update (without update_id). Returns the update_id. */
  pushUpdate(raw: Record<string, unknown>): number;
  addChat(chat: TgChat): void;
  /** Number of queued, unconfirmed updates. */
  pendingUpdates(): number;

  botMessages(chatId?: number): StoredMessage[];
  message(chatId: number, messageId: number): StoredMessage | undefined;
  history(chatId: number): StoredMessage[];
  drafts(chatId?: number): DraftRecord[];
  chatActions(chatId?: number): ChatActionRecord[];
  callbackQuery(id: string): CallbackQueryRecord | undefined;
  reactions(): ReactionRecord[];
  commands(scope?: Record<string, unknown>, languageCode?: string): TgBotCommand[];
  callsTo(method: string): RecordedCall[];

  failNext(method: string, error: InjectedError, times?: number): void;
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  /** While on, every getUpdates answers 409 as if another instance were polling. */
  simulateConflict(on: boolean): void;
  /** The next `times` calls of `method` are cut without an answer (a network error for the client). */
  dropNext(method: string, times?: number): void;
  /** Resolves when `predicate(fake)` holds; rejects after timeoutMs (default 30 s: a loaded 2-core machine is slow) listing recent calls. */
  waitFor(predicate: (fake: FakeTelegram) => boolean, timeoutMs?: number): Promise<void>;
}

export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const fake = new FakeTelegramServer(options);
  await fake.listen();
  return fake;
}

class FakeTelegramServer implements FakeTelegram {
  readonly token: string;
  readonly botUser: TgBotUser;
  readonly calls: RecordedCall[] = [];
  readonly unexpected: UnexpectedEntry[] = [];
  private readonly server: Server;
  private readonly state: FakeState;
  private readonly faults = new FaultPlan();
  private readonly drops = new Map<string, number>();
  private readonly signal = new ChangeSignal();
  private readonly queue: UpdateQueue;
  private readonly poll: LongPoll;
  private port = 0;
  private callbackCounter = 0;

  constructor(options: FakeTelegramOptions) {
    this.token = options.token ?? DEFAULT_TOKEN;
    const idFromToken = Number.parseInt(this.token.split(':')[0] ?? '', 10);
    this.botUser = {
      id: Number.isNaN(idFromToken) ? 123456789 : idFromToken,
      first_name: 'OpenZero Test Bot',
      username: 'openzero_test_bot',
      can_join_groups: true,
      can_read_all_group_messages: false,
      supports_inline_queries: false,
      can_connect_to_business: false,
      has_main_web_app: false,
      ...options.botUser,
      is_bot: true,
    };
    const clock = options.clock ?? Date.now;
    this.queue = new UpdateQueue(options.firstUpdateId ?? 10000);
    this.poll = new LongPoll(this.queue, {
      msPerSecond: options.msPerSecond ?? 1000,
      serverThrottles: options.serverThrottles ?? false,
      now: () => performance.now(),
    });
    this.state = {
      bot: this.botUser,
      chats: new ChatStore(),
      queue: this.queue,
      poll: this.poll,
      webhook: undefined,
      commands: new Map(),
      drafts: [],
      chatActions: [],
      callbackQueries: new Map(),
      reactions: [],
      simulateConflict: false,
      now: clock,
      noteUnexpected: (method, reason) => this.noteUnexpected(method, '', reason),
      changed: () => this.signal.notify(),
    };
    for (const chat of options.knownChats ?? []) this.state.chats.add(chat);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.noteUnexpected('', req.url ?? '', `fake crashed: ${String(error)}`);
        if (!res.headersSent) this.write(res, 500, { ok: false, error_code: 500, description: 'Internal Server Error' });
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  get apiRoot(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get confirmedOffset(): number {
    return this.queue.confirmedOffset;
  }

  get isPolling(): boolean {
    return this.poll.isWaiting;
  }

  get webhook(): WebhookState | undefined {
    return this.state.webhook;
  }

  get filteredUpdates(): readonly TgUpdate[] {
    return this.queue.filtered;
  }

  async close(): Promise<void> {
    this.poll.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---- HTTP ----

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const match = /^\/bot([^/]*)\/([^/]+)$/.exec(url.pathname);
    if (match === null) {
      req.resume();
      this.noteUnexpected('', url.pathname, 'path is not /bot<token>/<method>');
      this.writeError(res, NOT_FOUND);
      return;
    }
    const token = decodeURIComponent(match[1] ?? '');
    const method = decodeURIComponent(match[2] ?? '');
    let payload: Payload;
    try {
      payload = await readPayload(req, url);
    } catch (error) {
      if (error instanceof UnsupportedBodyError) {
        this.noteUnexpected(method, url.pathname, error.message);
        this.writeError(res, new TelegramApiError(400, `Bad Request: ${error.message}`));
        return;
      }
      if (error instanceof TelegramApiError) {
        this.writeError(res, error);
        return;
      }
      throw error;
    }
    const call: RecordedCall = { method, payload, time: Date.now(), status: undefined, response: undefined, abandoned: false };
    this.calls.push(call);
    this.signal.notify();

    if (token !== this.token) {
      this.answer(res, call, UNAUTHORIZED);
      return;
    }
    const drops = this.drops.get(method.toLowerCase()) ?? 0;
    if (drops > 0) {
      this.drops.set(method.toLowerCase(), drops - 1);
      call.abandoned = true;
      res.socket?.destroy();
      return;
    }
    const injected = this.faults.take(method);
    if (injected !== undefined) {
      this.answer(res, call, injected);
      return;
    }
    const lower = method.toLowerCase();
    if (lower === 'getupdates') {
      await this.getUpdates(res, call, payload);
      return;
    }
    const handler = METHODS.get(lower);
    if (handler === undefined) {
      this.noteUnexpected(method, url.pathname, 'unknown method');
      this.answer(res, call, NOT_FOUND);
      return;
    }
    try {
      this.answer(res, call, handler(this.state, payload));
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      this.answer(res, call, error);
    }
  }

  private async getUpdates(res: ServerResponse, call: RecordedCall, payload: Payload): Promise<void> {
    const gone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        call.abandoned = true;
        gone.abort();
        this.signal.notify();
      }
    });
    try {
      const updates = await this.poll.handle(payload, gone.signal, {
        webhook: this.state.webhook !== undefined,
        conflict: this.state.simulateConflict,
      });
      this.answer(res, call, updates);
    } catch (error) {
      if (!(error instanceof TelegramApiError)) throw error;
      this.answer(res, call, error);
    }
  }

  private answer(res: ServerResponse, call: RecordedCall, outcome: unknown): void {
    let status: number;
    let body: Record<string, unknown>;
    if (outcome instanceof TelegramApiError) {
      status = outcome.errorCode;
      body = outcome.toBody();
    } else if (outcome instanceof Described) {
      status = 200;
      body = { ok: true, result: outcome.result, description: outcome.description };
    } else {
      status = 200;
      body = { ok: true, result: outcome };
    }
    if (res.destroyed || res.writableEnded) {
      call.abandoned = true;
    } else {
      call.status = status;
      call.response = body;
      this.write(res, status, body);
    }
    this.signal.notify();
  }

  private writeError(res: ServerResponse, error: TelegramApiError): void {
    this.write(res, error.errorCode, error.toBody());
  }

  private write(res: ServerResponse, status: number, body: Record<string, unknown>): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private noteUnexpected(method: string, path: string, reason: string): void {
    this.unexpected.push({ method, path, reason, time: Date.now() });
    this.signal.notify();
  }

  // ---- test controls ----

  addChat(chat: TgChat): void {
    this.state.chats.add(chat);
  }

  pushUpdate(raw: Record<string, unknown>): number {
    const update = this.queue.push(raw);
    this.poll.wake();
    this.signal.notify();
    return update.update_id;
  }

  sendText(from: FakeUserInput, text: string, chat?: TgChat): number {
    const target = chat ?? privateChatOf(from);
    this.state.chats.add(target);
    const date = Math.floor(this.state.now() / 1000);
    const stored = this.state.chats.addMessage(target.id, (messageId) =>
      userTextMessage(messageId, from, target, text, date),
    );
    return this.pushUpdate({ message: stored.message });
  }

  pressButton(from: FakeUserInput, chatId: number, messageId: number, data: string, options: PressButtonOptions = {}): number {
    const stored = this.state.chats.get(chatId, messageId);
    if (stored === undefined || stored.deleted) {
      throw new Error(`pressButton: message ${messageId} in chat ${chatId} does not exist (or was deleted)`);
    }
    if (options.allowMissingButton !== true && !hasButton(stored, data)) {
      throw new Error(`pressButton: message ${messageId} in chat ${chatId} has no button with callback_data ${JSON.stringify(data)}`);
    }
    this.callbackCounter++;
    const id = `${BigInt(Math.abs(from.id)) * 1000000n + BigInt(this.callbackCounter)}`;
    const callbackQuery = {
      id,
      from: toUser(from),
      message: stored.message,
      chat_instance: String(-(Math.abs(chatId) * 7 + 1000000007)),
      data,
    };
    const updateId = this.pushUpdate({ callback_query: callbackQuery });
    this.state.callbackQueries.set(id, {
      id,
      update: { update_id: updateId, callback_query: callbackQuery },
      answered: false,
      answer: undefined,
    });
    return updateId;
  }

  pendingUpdates(): number {
    return this.queue.size;
  }

  botMessages(chatId?: number): StoredMessage[] {
    return this.state.chats.botMessages(chatId);
  }

  message(chatId: number, messageId: number): StoredMessage | undefined {
    return this.state.chats.get(chatId, messageId);
  }

  history(chatId: number): StoredMessage[] {
    return this.state.chats.history(chatId);
  }

  drafts(chatId?: number): DraftRecord[] {
    return this.state.drafts.filter((draft) => chatId === undefined || draft.chat_id === chatId);
  }

  chatActions(chatId?: number): ChatActionRecord[] {
    return this.state.chatActions.filter((action) => chatId === undefined || action.chat_id === chatId);
  }

  callbackQuery(id: string): CallbackQueryRecord | undefined {
    return this.state.callbackQueries.get(id);
  }

  reactions(): ReactionRecord[] {
    return [...this.state.reactions];
  }

  commands(scope?: Record<string, unknown>, languageCode?: string): TgBotCommand[] {
    const key = `${JSON.stringify(scope ?? { type: 'default' })}|${languageCode ?? ''}`;
    return (this.state.commands.get(key) ?? []).map((command) => ({ ...command }));
  }

  callsTo(method: string): RecordedCall[] {
    const lower = method.toLowerCase();
    return this.calls.filter((call) => call.method.toLowerCase() === lower);
  }

  failNext(method: string, error: InjectedError, times = 1): void {
    this.faults.failNext(method, error, times);
  }

  rateLimit(method: string, retryAfterSeconds: number, times = 1): void {
    this.faults.rateLimit(method, retryAfterSeconds, times);
  }

  simulateConflict(on: boolean): void {
    this.state.simulateConflict = on;
  }

  dropNext(method: string, times = 1): void {
    const key = method.toLowerCase();
    this.drops.set(key, (this.drops.get(key) ?? 0) + times);
  }

  waitFor(predicate: (fake: FakeTelegram) => boolean, timeoutMs = WAIT_CEILING_MS): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const finish = (): void => {
        settled = true;
        unsubscribe();
        clearInterval(interval);
        clearTimeout(timer);
      };
      const check = (): void => {
        if (settled) return;
        try {
          if (predicate(this)) {
            finish();
            resolve();
          }
        } catch (error) {
          finish();
          reject(error instanceof Error ? error : new Error(String(error)));
        }
      };
      const unsubscribe = this.signal.subscribe(check);
      // State outside the fake (the bot's own progress) may matter too, so poll as well.
      const interval = setInterval(check, 20);
      const timer = setTimeout(() => {
        if (settled) return;
        finish();
        reject(new Error(this.timeoutReport(timeoutMs)));
      }, timeoutMs);
      check();
    });
  }

  private timeoutReport(timeoutMs: number): string {
    const recent = this.calls.slice(-15).map((call) => `  ${describeCall(call)}`);
    const lines = [
      `waitFor: condition not met within ${timeoutMs} ms`,
      `pending updates: ${this.queue.size}, confirmedOffset: ${this.queue.confirmedOffset}, polling: ${this.poll.isWaiting}`,
      `last ${recent.length} of ${this.calls.length} calls:`,
      ...(recent.length > 0 ? recent : ['  (none)']),
    ];
    if (this.unexpected.length > 0) {
      lines.push('unexpected:', ...this.unexpected.slice(-10).map((u) => `  ${u.method || u.path}: ${u.reason}`));
    }
    return lines.join('\n');
  }
}
