import type { gmail_v1 } from '@googleapis/gmail';
import { z } from 'zod';
import { classifyGoogleError, GoogleApiError } from '../google/google-errors.js';
import type { GoogleSession } from '../google/google-session.js';
import type { HistoryPage, ListPage, MailMetadata, Mailbox } from './mailbox.js';

const Profile = z.object({ historyId: z.string() });
const History = z.object({
  historyId: z.string(),
  nextPageToken: z.string().optional(),
  history: z
    .array(z.object({ messagesAdded: z.array(z.object({ message: z.object({ id: z.string(), labelIds: z.array(z.string()).optional() }) })).optional() }))
    .optional(),
});
const List = z.object({ messages: z.array(z.object({ id: z.string() })).optional(), nextPageToken: z.string().optional() });
const Message = z.object({
  id: z.string(),
  threadId: z.string().default(''),
  snippet: z.string().default(''),
  internalDate: z.string().optional(),
  payload: z.object({ headers: z.array(z.object({ name: z.string(), value: z.string() })).default([]) }).optional(),
});

/** Gmail over @googleapis/gmail (loaded on first use), its root set per service, library retries off. */
export function createGmailMailbox(session: GoogleSession, apiRoot: string): Mailbox {
  let client: Promise<gmail_v1.Gmail> | undefined;
  async function gmail(): Promise<gmail_v1.Gmail> {
    client ??= (async () => {
      const auth = await session.auth();
      if (!auth) throw new GoogleApiError('gmail', 'auth-revoked', 'Google is not connected (run npm run google:auth or send /google)');
      const { gmail: build } = await import('@googleapis/gmail');
      // The global rootUrl option is ignored by the generated clients: set it on the service.
      return build({ version: 'v1', auth, rootUrl: `${apiRoot}/` });
    })().catch((err: unknown) => {
      client = undefined;
      throw err;
    });
    return client;
  }
  // Retry decisions live in the poller (429 and 403 rate limits, Retry-After).
  const noRetry = { retry: false } as const;

  async function call<T>(operation: string, work: (api: gmail_v1.Gmail) => Promise<{ data: unknown }>, schema: z.ZodType<T>): Promise<T> {
    let data: unknown;
    try {
      data = (await work(await gmail())).data;
    } catch (err) {
      throw classifyGoogleError(operation, err);
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) throw new GoogleApiError(operation, 'failed', 'unexpected answer shape');
    return parsed.data;
  }

  return {
    async currentHistoryId() {
      return (await call('gmail.getProfile', (api) => api.users.getProfile({ userId: 'me' }, noRetry), Profile)).historyId;
    },
    async history(startHistoryId, pageToken): Promise<HistoryPage> {
      const page = await call(
        'gmail.history.list',
        (api) => api.users.history.list({ userId: 'me', startHistoryId, historyTypes: ['messageAdded'], labelId: 'INBOX', maxResults: 500, ...(pageToken ? { pageToken } : {}) }, noRetry),
        History,
      );
      const messageIds = (page.history ?? []).flatMap((entry) => (entry.messagesAdded ?? []).map((added) => added.message.id));
      return { messageIds, historyId: page.historyId, nextPageToken: page.nextPageToken };
    },
    async listInboxSince(afterEpochSeconds, pageToken): Promise<ListPage> {
      const page = await call(
        'gmail.messages.list',
        (api) => api.users.messages.list({ userId: 'me', q: `in:inbox after:${afterEpochSeconds}`, maxResults: 500, ...(pageToken ? { pageToken } : {}) }, noRetry),
        List,
      );
      return { messageIds: (page.messages ?? []).map((m) => m.id), nextPageToken: page.nextPageToken };
    },
    async metadata(id): Promise<MailMetadata | undefined> {
      try {
        const message = await call(
          'gmail.messages.get',
          (api) => api.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['From', 'Subject', 'Date'] }, noRetry),
          Message,
        );
        const header = (name: string): string => message.payload?.headers.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value ?? '';
        const dated = Date.parse(header('Date'));
        const internal = Number(message.internalDate);
        return {
          id: message.id,
          threadId: message.threadId,
          from: header('From'),
          subject: header('Subject'),
          receivedAt: new Date(Number.isFinite(internal) && internal > 0 ? internal : Number.isNaN(dated) ? 0 : dated),
          snippet: message.snippet,
        };
      } catch (err) {
        if (err instanceof GoogleApiError && err.kind === 'not-found') return undefined;
        throw err;
      }
    },
  };
}
