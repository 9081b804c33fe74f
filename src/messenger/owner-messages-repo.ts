import type { DbOrTx } from '../db/index.js';
import type { OwnerMessageStatus } from '../db/tables/routines.table.js';
import type { OwnerButton, OwnerMessage } from './owner-messenger.js';

export interface StoredOwnerMessage {
  scope: string;
  status: OwnerMessageStatus;
  kind: string;
  message: OwnerMessage;
  messageIds: number[];
  createdAt: Date;
}

export async function findOwnerMessage(db: DbOrTx, scope: string): Promise<StoredOwnerMessage | undefined> {
  const row = await db.selectFrom('owner_messages').selectAll().where('scope', '=', scope).executeTakeFirst();
  return row ? toStored(row) : undefined;
}

/** Records the message before it is sent (or held); false when the scope already has a row. */
export async function insertOwnerMessage(
  db: DbOrTx,
  row: { scope: string; status: 'sending' | 'held'; kind: string; urgent: boolean; message: OwnerMessage; at: Date },
): Promise<boolean> {
  const result = await db
    .insertInto('owner_messages')
    .values({
      scope: row.scope,
      status: row.status,
      kind: row.kind,
      urgent: row.urgent,
      text: row.message.text,
      html: row.message.html === true,
      buttons: row.message.buttons ? JSON.stringify(row.message.buttons) : null,
      created_at: row.at,
    })
    .onConflict((oc) => oc.column('scope').doNothing())
    .executeTakeFirst();
  return (result.numInsertedOrUpdatedRows ?? 0n) > 0n;
}

export async function markDelivered(db: DbOrTx, scope: string, messageIds: number[], at: Date): Promise<void> {
  await db.updateTable('owner_messages').set({ status: 'delivered', message_ids: JSON.stringify(messageIds), delivered_at: at }).where('scope', '=', scope).execute();
}

/** Held messages, oldest first. */
export async function heldMessages(db: DbOrTx): Promise<StoredOwnerMessage[]> {
  const rows = await db.selectFrom('owner_messages').selectAll().where('status', '=', 'held').orderBy('created_at').orderBy('scope').execute();
  return rows.map(toStored);
}

export async function markDigested(db: DbOrTx, scopes: string[], digestScope: string, messageIds: number[], at: Date): Promise<void> {
  if (scopes.length === 0) return;
  await db
    .updateTable('owner_messages')
    .set({ status: 'digested', digest_scope: digestScope, message_ids: JSON.stringify(messageIds), delivered_at: at })
    .where('scope', 'in', scopes)
    .where('status', '=', 'held')
    .execute();
}

function toStored(row: {
  scope: string;
  status: OwnerMessageStatus;
  kind: string;
  text: string;
  html: boolean;
  buttons: string | null;
  message_ids: string | null;
  created_at: Date;
}): StoredOwnerMessage {
  const buttons = row.buttons ? (JSON.parse(row.buttons) as OwnerButton[][]) : undefined;
  return {
    scope: row.scope,
    status: row.status,
    kind: row.kind,
    message: { text: row.text, ...(row.html ? { html: true } : {}), ...(buttons ? { buttons } : {}) },
    messageIds: row.message_ids ? (JSON.parse(row.message_ids) as number[]) : [],
    createdAt: new Date(row.created_at),
  };
}
