/**
 * The seed's example through the built daemon, the fake Telegram and the fake Ollama:
 * Z proposes a capability, the owner approves it, it runs (its own key-value store and
 * its own SQL), a new version asks for a new host and the approval shows that diff, the
 * new version fetches from that host only, and rollback is one button.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeOllama, type FakeOllama } from '../fakes/ollama.js';
import { startFakeTelegram, type FakeTelegram } from '../fakes/telegram/index.js';
import { baseEnv, startDaemon, stopDaemon, telegramEnv, waitUntilReady, type DaemonProcess } from '../support/daemon.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { openDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { grepDatabase } from '../support/grep-database.js';
import { botMessageMatching, buttonData, messagesOf, OWNER, withText } from './assistant-support.js';

const GROCERY_CODE_V1 = `async function run(input) {
  if (input.action === 'add') {
    const entries = (await kv.get('entries')) || [];
    entries.push({ amount: input.amount, store: input.store || '' });
    await kv.set('entries', entries);
  }
  const [row] = await sql("select coalesce(sum((e->>'amount')::numeric), 0)::float8 as total, count(e)::int as count from kv left join lateral jsonb_array_elements(value) e on true where key = $1", ['entries']);
  return { total: row ? row.total : 0, count: row ? row.count : 0 };
}`;

const INPUT_SCHEMA = {
  type: 'object',
  properties: {
    action: { type: 'string', enum: ['add', 'total'] },
    amount: { type: 'number', minimum: 0 },
    store: { type: 'string' },
  },
  required: ['action'],
  additionalProperties: false,
};

function proposalV1(): Record<string, unknown> {
  return {
    name: 'grocery_spending',
    description: 'Track grocery spending: add what the owner spent (action add, amount, store) or ask for the total.',
    code: GROCERY_CODE_V1,
    input_schema: INPUT_SCHEMA,
    tests: [
      { name: 'adds a purchase', input: { action: 'add', amount: 10, store: 'Lidl' }, sql: [[{ total: 10, count: 1 }]], expect: { total: 10, count: 1 } },
      { name: 'total when empty', input: { action: 'total' }, sql: [[{ total: 0, count: 0 }]], expect: { total: 0, count: 0 } },
    ],
    permissions: { kv: true, sql: true },
  };
}

/** v2 converts the total with an exchange-rate service: a new host. Long enough to be attached as a document. */
function proposalV2(rateOrigin: string): Record<string, unknown> {
  const code = `${GROCERY_CODE_V1.replace('async function run(input) {', 'async function runV1(input) {')}

// Totals in another currency: the rate comes from the exchange-rate service the owner approved.
async function run(input) {
  const base = await runV1(input);
  if (!input.currency) return base;
  const answer = await fetch('${rateOrigin}/latest?from=EUR&to=' + encodeURIComponent(input.currency));
  if (!answer.ok) throw new Error('the rate service answered ' + answer.status);
  const body = await answer.json();
  const rate = body.rates[input.currency];
  if (typeof rate !== 'number') throw new Error('no rate for ' + input.currency);
  log('rate', input.currency, rate);
  return { ...base, converted: Math.round(base.total * rate * 100) / 100, currency: input.currency };
}
${'// '.padEnd(1300, '-')}
`;
  return {
    ...proposalV1(),
    code,
    input_schema: { ...INPUT_SCHEMA, properties: { ...INPUT_SCHEMA.properties, currency: { type: 'string', enum: ['USD', 'GBP'] } } },
    tests: [
      { name: 'total in USD', input: { action: 'total', currency: 'USD' }, sql: [[{ total: 10, count: 1 }]], fetch: [{ url: `${rateOrigin}/latest?from=EUR&to=USD`, body: '{"rates":{"USD":1.5}}' }], expect: { total: 10, count: 1, converted: 15, currency: 'USD' } },
    ],
    permissions: { kv: true, sql: true, hosts: [rateOrigin], secrets: [{ name: 'rates_key', host: rateOrigin, header: 'authorization', prefix: 'Bearer ' }] },
  };
}

describe('capabilities through the daemon', () => {
  let telegram: FakeTelegram;
  let ollama: FakeOllama;
  let database: TestDatabase;
  let daemon: DaemonProcess | undefined;
  let rates: http.Server;
  let rateOrigin = '';
  const rateRequests: string[] = [];
  const rateAuth: (string | undefined)[] = [];
  const SECRET = 'rk-7f3a9c1e5b2d8f40';

  beforeAll(async () => {
    rates = http.createServer((req, res) => {
      rateRequests.push(req.url ?? '');
      rateAuth.push(req.headers.authorization);
      res.setHeader('content-type', 'application/json');
      res.end('{"rates":{"USD":1.1,"GBP":0.85}}');
    });
    await new Promise<void>((resolve) => rates.listen(0, '127.0.0.1', resolve));
    rateOrigin = `http://127.0.0.1:${(rates.address() as AddressInfo).port}`;
    telegram = await startFakeTelegram();
    ollama = await startFakeOllama();
    database = await createTestDatabase('pglite');
    daemon = startDaemon(baseEnv({ ...telegramEnv(telegram, OWNER.id), OLLAMA_BASE_URL: ollama.url, OPENZERO_SECRET_KEY: 'ab'.repeat(32), ...database.env }));
    await waitUntilReady(daemon, 60_000);
  });

  afterAll(async () => {
    if (daemon) await stopDaemon(daemon);
    await telegram.close();
    await ollama.close();
    await database.drop();
    await new Promise((resolve) => rates.close(resolve));
  });

  /** The content of the tool result the model got back in its latest request. */
  const lastToolResult = (): string => messagesOf(ollama.chatRequests().at(-1)).filter((m) => m.role === 'tool').at(-1)?.content ?? '';

  it('proposes, is approved, runs, asks again for a new host with the diff, and rolls back with one button', { timeout: 240_000 }, async () => {
    // "do I have important emails today?" with mail not connected: Z says so and offers a tracker later.
    ollama.script({ text: 'Mail is not connected yet, so I cannot see your inbox. /google shows how to connect it.' });
    telegram.sendText(OWNER, 'do I have important emails today?');
    await botMessageMatching(telegram, withText('Mail is not connected yet'));

    // A proposal that fails its own test never reaches the owner; the model gets the report.
    const broken = { ...proposalV1(), code: 'async function run(input) { return { total: 1 }; }' };
    ollama.script({ toolCalls: [{ name: 'write_capability', arguments: broken }] }, { text: 'Let me fix that.' });
    telegram.sendText(OWNER, 'track my grocery spending');
    await botMessageMatching(telegram, withText('Let me fix that.'));
    expect(lastToolResult()).toContain('did not pass validation');
    expect(lastToolResult()).toContain('✗ test “adds a purchase”');
    expect(lastToolResult()).toContain('2 rounds left');
    expect(telegram.botMessages(OWNER.id).some((m) => m.text.includes('Add the capability'))).toBe(false);

    // 1. Z proposes.
    ollama.script({ toolCalls: [{ name: 'write_capability', arguments: proposalV1() }] }, { text: 'I built a grocery tracker; approve it above.' });
    telegram.sendText(OWNER, 'ok, try again');
    const request = await botMessageMatching(telegram, withText('Add the capability grocery_spending (v2)?'));
    expect(request.text).toContain('+ sql: read its own schema');
    expect(request.text).toContain('+ kv: its own key-value store');
    expect(request.text).toContain('✓ test “adds a purchase”');
    expect(request.text).toMatch(/✓ generated input 1/);
    expect(request.text).toMatch(/sha256 [0-9a-f]{64}/);
    expect(request.text).toContain("kv.get('entries')");
    expect(request.text).toContain('Risk: L1');
    await botMessageMatching(telegram, withText('I built a grocery tracker'));
    expect(lastToolResult()).toContain('NOT active yet');

    // 2. The owner approves; 3. it runs, at once, without a restart.
    telegram.pressButton(OWNER, OWNER.id, request.message_id, buttonData(request, 'Approve'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, request.message_id)?.text.includes('is active now as the tool cap_grocery_spending') ?? false, 30_000);
    ollama.script(
      { toolCalls: [{ name: 'cap_grocery_spending', arguments: { action: 'add', amount: 23.4, store: 'Lidl' } }] },
      { toolCalls: [{ name: 'cap_grocery_spending', arguments: { action: 'add', amount: 6.6, store: 'Aldi' } }] },
      { text: 'Noted: 30 euros so far.' },
    );
    telegram.sendText(OWNER, 'I spent 23.40 at Lidl and 6.60 at Aldi');
    await botMessageMatching(telegram, withText('Noted: 30 euros so far.'));
    expect(lastToolResult()).toBe('{"total":30,"count":2}');
    const specs = JSON.stringify((ollama.chatRequests().at(-1)?.body as { tools?: unknown }).tools);
    expect(specs).toContain('cap_grocery_spending');

    // 4. A new version asks for a new host: the approval shows that diff, and the code comes as a document.
    ollama.script({ toolCalls: [{ name: 'write_capability', arguments: proposalV2(rateOrigin) }] }, { text: 'The update needs your approval.' });
    telegram.sendText(OWNER, 'can it show the total in dollars?');
    const update = await botMessageMatching(telegram, withText('Update the capability grocery_spending: v2 → v3?'));
    expect(update.text).toContain(`+ fetch ${rateOrigin}`);
    expect(update.text).toContain(`+ secret rates_key → ${rateOrigin} (header authorization)`);
    expect(update.text).toContain('  sql: read its own schema');
    expect(update.text).toContain('  kv: its own key-value store');
    expect(update.text).toContain('Risk: L2');
    expect(update.text).toContain('attached above as grocery_spending-v3.js');
    const document = telegram.botMessages(OWNER.id).find((m) => m.document?.fileName === 'grocery_spending-v3.js');
    expect(document?.document?.content).toContain(`fetch('${rateOrigin}/latest`);
    expect(rateRequests).toEqual([]); // validation never touches the network
    telegram.pressButton(OWNER, OWNER.id, update.message_id, buttonData(update, 'Approve'));
    const rollback = await botMessageMatching(telegram, withText('grocery_spending v3 is active (v2 before it).'));

    // The owner stores the secret; the message is deleted and the inbox keeps no copy.
    telegram.sendText(OWNER, `/capsecret rates_key ${SECRET}`);
    await botMessageMatching(telegram, withText('Stored the secret rates_key'));
    expect(telegram.callsTo('deleteMessage')).toHaveLength(1);

    // v3 reaches the network, so each call is L2: it asks, then fetches only from the approved host.
    ollama.script({ toolCalls: [{ name: 'cap_grocery_spending', arguments: { action: 'total', currency: 'USD' } }] }, { text: 'I asked you first.' });
    telegram.sendText(OWNER, 'total in dollars please');
    const ask = await botMessageMatching(telegram, withText('Run the capability with {"action":"total","currency":"USD"}: grocery_spending v3 “'));
    telegram.pressButton(OWNER, OWNER.id, ask.message_id, buttonData(ask, 'Approve'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, ask.message_id)?.text.includes('Ran grocery_spending v3.') ?? false, 30_000);
    expect(rateRequests).toEqual(['/latest?from=EUR&to=USD']);
    expect(rateAuth).toEqual([`Bearer ${SECRET}`]);
    await botMessageMatching(telegram, withText('I asked you first.'));

    // Rollback is one button.
    telegram.pressButton(OWNER, OWNER.id, rollback.message_id, buttonData(rollback, '↩ Roll back to v2'));
    await telegram.waitFor((fake) => fake.message(OWNER.id, rollback.message_id)?.text.includes('grocery_spending is back at v2') ?? false, 30_000);
    telegram.sendText(OWNER, '/capabilities');
    const list = await botMessageMatching(telegram, withText('grocery_spending v2 on'));
    expect(list.text).toContain('sha256');

    telegram.sendText(OWNER, '/audit 30');
    const audit = await botMessageMatching(telegram, withText('Audit log'));
    expect(audit.text.match(/tool:cap_grocery_spending/g)?.length).toBe(3);
    expect(audit.text).toContain('capability:fetch');
    expect(audit.text).toContain('127.0.0.1');
    expect(telegram.unexpected).toEqual([]);
    expect(ollama.unexpected).toEqual([]);
    // Nothing the model saw, and nothing stored in the database, holds the secret.
    expect(JSON.stringify(ollama.chatRequests().map((r) => r.body))).not.toContain(SECRET);
    if (daemon) await stopDaemon(daemon);
    daemon = undefined;
    const opened = await openDatabase(database.settings, silentLogger());
    try {
      expect(await grepDatabase(opened.db, SECRET)).toEqual([]);
    } finally {
      await opened.close();
    }
  });
});
