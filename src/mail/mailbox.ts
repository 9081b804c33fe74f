/**
 * The mail-source port: the four Gmail reads the poller needs, in our own types. Every method
 * throws GoogleApiError (see google/google-errors.ts) and nothing else.
 */
export interface MailMetadata {
  id: string;
  threadId: string;
  from: string;
  subject: string;
  /** Gmail's internalDate (when it arrived), else the Date header. */
  receivedAt: Date;
  /** Gmail's snippet (plain text, ~200 chars): mail text, never logged. */
  snippet: string;
}

export interface HistoryPage {
  /** Ids of messages added to INBOX in this page (may repeat across pages). */
  messageIds: string[];
  /** The mailbox's current historyId (the cursor to store once every page was read). */
  historyId: string;
  nextPageToken: string | undefined;
}

export interface ListPage {
  messageIds: string[];
  nextPageToken: string | undefined;
}

export interface Mailbox {
  /** The mailbox's current historyId (users.getProfile). */
  currentHistoryId(): Promise<string>;
  /** history.list from `startHistoryId`, messageAdded in INBOX. A too-old id throws kind `not-found`. */
  history(startHistoryId: string, pageToken?: string): Promise<HistoryPage>;
  /** messages.list of INBOX mail received after `afterEpochSeconds`. */
  listInboxSince(afterEpochSeconds: number, pageToken?: string): Promise<ListPage>;
  /** messages.get format=metadata (From, Subject, Date, snippet); undefined when the message is gone. */
  metadata(id: string): Promise<MailMetadata | undefined>;
}
