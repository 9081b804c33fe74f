import type { Db } from '../db/index.js';
import type { OwnerMessenger } from '../messenger/index.js';
import type { BriefingSection } from '../routines/index.js';

export interface Artifact {
  /** One per heartbeat run (`heartbeat:<agent>@<slot>`): a retried run finds its artifact again. */
  scope: string;
  agent: string;
  /** The agent's title, for the owner's eyes. */
  agentTitle: string;
  urgent: boolean;
  title: string;
  body: string;
}

export type Filing = { kind: 'notified'; held: boolean } | { kind: 'for-briefing' } | { kind: 'owner-unknown' };

/**
 * The chief of staff's inbox. A specialist's heartbeat files what it found here; the COS
 * tells the owner at once when it is urgent (through the durable messenger, so quiet hours
 * hold it for the digest), otherwise it waits for the next briefing (the `agents` section).
 */
export class CosInbox {
  readonly #db: Db;
  readonly #messenger: OwnerMessenger;
  readonly #now: () => Date;

  constructor(db: Db, messenger: OwnerMessenger, now: () => Date) {
    this.#db = db;
    this.#messenger = messenger;
    this.#now = now;
  }

  async file(artifact: Artifact): Promise<Filing> {
    const now = this.#now();
    await this.#db
      .insertInto('cos_inbox')
      .values({ scope: artifact.scope, agent: artifact.agent, urgent: artifact.urgent, title: artifact.title, body: artifact.body, created_at: now, notified_at: null, briefed_at: null })
      .onConflict((oc) => oc.column('scope').doNothing())
      .execute();
    const row = await this.#db.selectFrom('cos_inbox').select(['id', 'urgent', 'notified_at']).where('scope', '=', artifact.scope).executeTakeFirstOrThrow();
    if (!row.urgent) return { kind: 'for-briefing' };
    // Not `urgent` for the messenger: an agent's note respects quiet hours (held for the digest).
    const delivery = await this.#messenger.send({ text: `**${artifact.agentTitle}: ${artifact.title}**\n${artifact.body}` }, { scope: `agent-note:${row.id}` });
    if (!delivery) return { kind: 'owner-unknown' };
    if (row.notified_at === null) await this.#db.updateTable('cos_inbox').set({ notified_at: now, briefed_at: now }).where('id', '=', row.id).execute();
    return { kind: 'notified', held: delivery.held === true };
  }

  /** The `agents` briefing section: what specialists filed since the last briefing, not already told. */
  briefingSection(titleOf: (agent: string) => string): BriefingSection {
    return {
      key: 'agents',
      gather: async (request) => {
        const rows = await this.#open(request.now);
        return { connected: true, title: 'Notes from your specialist agents', lines: rows.map((row) => `${titleOf(row.agent)}: ${row.title} — ${row.body}`) };
      },
      delivered: async (request) => {
        const ids = (await this.#open(request.now)).map((row) => row.id);
        if (ids.length > 0) await this.#db.updateTable('cos_inbox').set({ briefed_at: this.#now() }).where('id', 'in', ids).execute();
      },
    };
  }

  async #open(until: Date): Promise<{ id: number; agent: string; title: string; body: string }[]> {
    return this.#db
      .selectFrom('cos_inbox')
      .select(['id', 'agent', 'title', 'body'])
      .where('briefed_at', 'is', null)
      .where('created_at', '<=', until)
      .orderBy('created_at')
      .limit(20)
      .execute();
  }
}
