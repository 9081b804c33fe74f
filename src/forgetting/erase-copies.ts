import { sql, type Expression, type SqlBool } from 'kysely';
import { escapeHtml } from '../channels/telegram/format/index.js';
import type { DbOrTx } from '../db/index.js';

/** What a copy of forgotten text is replaced with. */
export const ERASED = '[forgotten]';

/** Texts shorter than this are not hunted down by content: too likely to hit unrelated words. */
const MIN_TEXT_LENGTH = 8;
/** Lengths the app clips texts to when it quotes them (lists, buttons, approvals, audit lines). */
const CLIP_LENGTHS = [60, 80, 150, 200, 300, 500];
const KEY_LENGTH = 32;

/**
 * Every form in which `text` is copied into stored messages: as written, with whitespace
 * flattened, clipped at a word with an ellipsis (as lists and approvals quote it), and each of
 * those HTML-escaped (as Telegram messages carry it). Longest first, so a replacement never
 * leaves the tail of a longer copy behind.
 */
export function copyForms(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length < MIN_TEXT_LENGTH) return [];
  const bases = new Set([text, text.trim(), flat]);
  for (const max of CLIP_LENGTHS) {
    if (flat.length <= max) continue;
    const cut = flat.slice(0, max - 1);
    const space = cut.lastIndexOf(' ');
    bases.add(space > max * 0.6 ? cut.slice(0, space) : cut);
  }
  const forms = new Set<string>();
  for (const base of bases) {
    if (base.length < MIN_TEXT_LENGTH) continue;
    forms.add(base);
    forms.add(escapeHtml(base));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Short prefixes every copy starts with, as they appear in plain text and inside JSON, for a quick SQL pre-filter. */
function searchKeys(forms: readonly string[]): string[] {
  const keys = new Set<string>();
  for (const form of forms) {
    const prefix = form.slice(0, KEY_LENGTH);
    keys.add(prefix);
    keys.add(JSON.stringify(prefix).slice(1, -1));
  }
  return [...keys];
}

function replaceAll(value: string, forms: readonly string[]): string {
  let out = value;
  for (const form of forms) if (out.includes(form)) out = out.split(form).join(ERASED);
  return out;
}

/** A JSON value with every string (keys included) cleaned of the forms. */
function scrubJson(value: unknown, forms: readonly string[]): unknown {
  if (typeof value === 'string') return replaceAll(value, forms);
  if (Array.isArray(value)) return value.map((item) => scrubJson(item, forms));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [replaceAll(key, forms), scrubJson(item, forms)]));
  }
  return value;
}

/** jsonb arrives parsed from both drivers; a text column holding JSON arrives as a string. */
function scrubJsonColumn(value: unknown, forms: readonly string[], storedAsText: boolean): { changed: boolean; json: string | null } {
  if (value === null || value === undefined) return { changed: false, json: null };
  const parsed: unknown = storedAsText && typeof value === 'string' ? JSON.parse(value) : value;
  const before = JSON.stringify(parsed);
  const after = JSON.stringify(scrubJson(parsed, forms));
  return { changed: before !== after, json: after };
}

function containsAny(column: string, keys: readonly string[]): Expression<SqlBool> {
  return sql<SqlBool>`(${sql.join(keys.map((key) => sql`strpos(${sql.ref(column)}::text, ${key}) > 0`), sql` or `)})`;
}

/**
 * Removes the copies of forgotten texts that the spine keeps for its own bookkeeping: the raw
 * Telegram updates (inbox), the replies Telegram confirmed (outbox), approval requests and their
 * outcomes, and audit details. Each copy becomes "[forgotten]"; the rows themselves (ids,
 * statuses, times) stay, so nothing that depends on them breaks. Returns how many rows changed.
 */
export async function eraseTextCopies(db: DbOrTx, texts: readonly string[]): Promise<number> {
  const forms = [...new Set(texts.flatMap(copyForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return 0;
  const keys = searchKeys(forms);
  let changed = 0;

  const inbox = await db
    .selectFrom('inbox')
    .select(['update_id', 'raw', 'payload'])
    .where((eb) => eb.or([containsAny('raw', keys), containsAny('payload', keys)]))
    // In id order, as the dispatcher finishes updates: two writers never lock inbox rows in a circle.
    .orderBy('update_id')
    .execute();
  for (const row of inbox) {
    const raw = scrubJsonColumn(row.raw, forms, true);
    const payload = scrubJsonColumn(row.payload, forms, typeof row.payload === 'string');
    if (!raw.changed && !payload.changed) continue;
    await db.updateTable('inbox').set({ raw: raw.json, payload: payload.json }).where('update_id', '=', row.update_id).execute();
    changed += 1;
  }

  const outbox = await db
    .selectFrom('outbox')
    .select(['scope', 'seq', 'payload', 'result'])
    .where((eb) => eb.or([containsAny('payload', keys), containsAny('result', keys)]))
    .execute();
  for (const row of outbox) {
    const payload = scrubJsonColumn(row.payload, forms, typeof row.payload === 'string');
    const result = scrubJsonColumn(row.result, forms, typeof row.result === 'string');
    if (!payload.changed && !result.changed) continue;
    await db
      .updateTable('outbox')
      .set({ payload: payload.json ?? 'null', result: result.json })
      .where('scope', '=', row.scope)
      .where('seq', '=', row.seq)
      .execute();
    changed += 1;
  }

  const approvals = await db
    .selectFrom('approvals')
    .select(['id', 'payload', 'summary', 'outcome'])
    .where((eb) => eb.or([containsAny('payload', keys), containsAny('summary', keys), containsAny('outcome', keys)]))
    .execute();
  for (const row of approvals) {
    const payload = scrubJsonColumn(row.payload, forms, typeof row.payload === 'string');
    const summary = replaceAll(row.summary, forms);
    const outcome = row.outcome === null ? null : replaceAll(row.outcome, forms);
    if (!payload.changed && summary === row.summary && outcome === row.outcome) continue;
    await db
      .updateTable('approvals')
      .set({ payload: payload.json ?? 'null', summary, outcome })
      .where('id', '=', row.id)
      .execute();
    changed += 1;
  }

  const audit = await db.selectFrom('audit_log').select(['id', 'detail']).where(containsAny('detail', keys)).execute();
  for (const row of audit) {
    const detail = scrubJsonColumn(row.detail, forms, typeof row.detail === 'string');
    if (!detail.changed) continue;
    await db.updateTable('audit_log').set({ detail: detail.json ?? '{}' }).where('id', '=', row.id).execute();
    changed += 1;
  }
  return changed;
}

/**
 * Clears what the spine kept of whole updates: the raw update in the inbox (its id, kind and
 * status stay) and every reply sent while handling it (outbox rows keep method and time; payload
 * and result are emptied). Used when the conversation those updates carried is erased.
 */
export async function eraseUpdateCopies(db: DbOrTx, updateIds: readonly number[]): Promise<number> {
  if (updateIds.length === 0) return 0;
  const ids = [...new Set(updateIds)];
  const inbox = await db
    .updateTable('inbox')
    .set({ raw: null, payload: null })
    .where('update_id', 'in', ids)
    .where('status', '<>', 'pending')
    .executeTakeFirst();
  const outbox = await db
    .updateTable('outbox')
    .set({ payload: JSON.stringify({ erased: true }), result: null })
    .where('scope', 'in', ids.map((id) => `update:${id}`))
    .executeTakeFirst();
  return Number(inbox.numUpdatedRows) + Number(outbox.numUpdatedRows);
}
