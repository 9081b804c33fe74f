import { escapeHtml } from '../channels/telegram/format/index.js';
import type { OwnerMessage } from '../messenger/index.js';
import type { MailMetadata } from './mailbox.js';

/** Gmail web link to one message (works for the signed-in account). */
export function gmailLink(messageId: string): string {
  return `https://mail.google.com/mail/u/0/#all/${encodeURIComponent(messageId)}`;
}

/** The urgent notice: from, subject, one line, and an Open button to Gmail on the web. */
export function urgentAlert(mail: Pick<MailMetadata, 'id' | 'from' | 'subject'>, line: string | null): OwnerMessage {
  const text = [`🚨 <b>Urgent mail</b>`, `From: ${escapeHtml(mail.from || '(unknown sender)')}`, `Subject: ${escapeHtml(mail.subject || '(no subject)')}`, ...(line ? [escapeHtml(line)] : [])].join('\n');
  return { text, html: true, buttons: [[{ text: 'Open', url: gmailLink(mail.id) }]] };
}
