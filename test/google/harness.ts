import { randomBytes } from 'node:crypto';
import type { Db } from '../../src/db/index.js';
import { GoogleSession } from '../../src/google/google-session.js';
import { reportRevoked } from '../../src/google/revocation.js';
import { saveTokens } from '../../src/google/stored-tokens.js';
import type { ChatRequest, ChatResult, LanguageModel } from '../../src/llm/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createGmailMailbox } from '../../src/mail/gmail-mailbox.js';
import { MailPoller } from '../../src/mail/mail-poller.js';
import type { Delivery, OwnerMessage, OwnerMessenger, SendOptions } from '../../src/messenger/index.js';
import { CredentialStore, parseSecretKey, type SecretKey } from '../../src/secrets/index.js';
import type { FakeGoogle } from '../fakes/google.js';

export function testKey(): SecretKey {
  const parsed = parseSecretKey(randomBytes(32).toString('hex'));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.key;
}

/** Records what the owner would receive; honours the messenger contract (a scope is delivered once). */
export class RecordingMessenger implements OwnerMessenger {
  readonly sent: Array<{ message: OwnerMessage; options: SendOptions | undefined }> = [];
  readonly #scopes = new Map<string, Delivery>();
  #next = 1;

  async send(message: OwnerMessage, options?: SendOptions): Promise<Delivery | undefined> {
    const earlier = options?.scope ? this.#scopes.get(options.scope) : undefined;
    if (earlier) return earlier;
    const delivery = { messageIds: [this.#next++] };
    this.sent.push({ message, options });
    if (options?.scope) this.#scopes.set(options.scope, delivery);
    return delivery;
  }
}

/** A local model that answers from a script and records every request (tools included). */
export class ScriptedModel implements LanguageModel {
  readonly provider = 'test';
  readonly model = 'scripted';
  readonly requests: ChatRequest[] = [];
  answer: (request: ChatRequest) => Partial<ChatResult> = () => ({ content: 'A short summary.' });

  async chat(request: ChatRequest): Promise<ChatResult> {
    this.requests.push(request);
    const partial = this.answer(request);
    return { content: '', toolCalls: [], model: this.model, bytesSent: 0, bytesReceived: 0, ...partial };
  }

  async probe() {
    return { ok: true as const, detail: 'scripted' };
  }
}

export interface MailHarness {
  poller: MailPoller;
  messenger: RecordingMessenger;
  llm: ScriptedModel;
  store: CredentialStore;
  session: GoogleSession;
}

/** One daemon's worth of mail polling over `db` (build it again over the same db to "restart"). */
export async function mailHarness(db: Db, fake: FakeGoogle, options: { key: SecretKey; now: () => Date; seedTokens?: boolean; messenger?: RecordingMessenger; llm?: ScriptedModel }): Promise<MailHarness> {
  const log = silentLogger();
  const store = new CredentialStore(db, [options.key]);
  if (options.seedTokens ?? true) await saveTokens(store, { refresh_token: fake.refreshToken });
  const session = new GoogleSession({ client: { clientId: fake.clientId, clientSecret: fake.clientSecret }, store, tokenUrl: fake.tokenUrl, log });
  const mailbox = createGmailMailbox(session, fake.apiRoot);
  const messenger = options.messenger ?? new RecordingMessenger();
  const llm = options.llm ?? new ScriptedModel();
  const poller = new MailPoller({
    db,
    mailbox,
    llm,
    messenger,
    log,
    now: options.now,
    onRevoked: (err) => reportRevoked({ db, messenger, log, now: options.now }, err),
    sleep: async () => undefined,
  });
  return { poller, messenger, llm, store, session };
}
