/**
 * Issue 11, "Bench": Gmail API calls per poll against mailbox size (1k, 10k, 100k messages)
 * when nothing is new (should be constant: one history.list), and one poll with 10 new
 * messages. The real MailPoller (src/mail/mail-poller.ts) with the Gmail adapter talks HTTP to
 * the fake Google (test/fakes/google.ts) over a fresh embedded PGlite database, wired as
 * test/google/harness.ts does. Baseline: the 1k mailbox, in the same run. Token refreshes are
 * not API calls and are not counted.
 *
 *   npx tsx bench/gmail-poll.bench.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { migrateToLatest, openDatabase } from '../src/db/index.js';
import { silentLogger } from '../src/log/index.js';
import { parseRulesSection } from '../src/mail/email-rules.js';
import { seedRulesOnce } from '../src/mail/rules-repo.js';
import { startFakeGoogle } from '../test/fakes/google.js';
import { mailHarness, testKey } from '../test/google/harness.js';

const SIZES = [1_000, 10_000, 100_000];
const QUIET_POLLS = 5;
const NEW_MAILS = 10;
const RULES = `## Email rules
- from: school.example.org -> urgent
- subject: invoice -> summarize
- from: newsletter -> archive
`;

interface Row {
  size: number;
  firstPollCalls: number;
  quietCalls: number[];
  quietPaths: string[];
  quietMs: number;
  newCalls: number;
  newProcessed: number;
  newHistoryCalls: number;
  newGets: number;
}

async function measure(size: number): Promise<Row> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'oz-gmail-bench-'));
  const opened = await openDatabase({ kind: 'embedded', dataDir: path.join(dir, 'pglite') }, silentLogger());
  const fake = await startFakeGoogle();
  try {
    const migrated = await migrateToLatest(opened.db);
    if (!migrated.ok) throw new Error(migrated.reason);
    await seedRulesOnce(opened.db, parseRulesSection(RULES).rules);
    fake.seedMailbox(size);
    const clock = Date.now();
    const h = await mailHarness(opened.db, fake, { key: testKey(), now: () => new Date(clock) });
    let before = fake.apiCalls().length;
    const first = await h.poller.poll();
    if (first.kind !== 'polled') throw new Error(`first poll: ${first.kind}`);
    const firstPollCalls = fake.apiCalls().length - before;

    const quietCalls: number[] = [];
    const paths = new Set<string>();
    let quietMs = 0;
    for (let i = 0; i < QUIET_POLLS; i += 1) {
      fake.touchHistory(); // a label change elsewhere: historyId moves, nothing new in INBOX
      before = fake.apiCalls().length;
      const started = performance.now();
      const outcome = await h.poller.poll();
      quietMs += performance.now() - started;
      if (outcome.kind !== 'polled' || outcome.discovered !== 0) throw new Error(`quiet poll: ${JSON.stringify(outcome)}`);
      const calls = fake.apiCalls().slice(before);
      quietCalls.push(calls.length);
      for (const call of calls) paths.add(call.path);
    }

    for (let i = 0; i < NEW_MAILS; i += 1) fake.deliver({ from: `Sender ${i} <s${i}@shop.example>`, subject: i % 2 === 0 ? `Your invoice ${i}` : `Hello ${i}`, snippet: 'new mail' });
    before = fake.apiCalls().length;
    const fresh = await h.poller.poll();
    if (fresh.kind !== 'polled') throw new Error(`poll with new mail: ${fresh.kind}`);
    const calls = fake.apiCalls().slice(before);
    if (fake.unexpected().length > 0) throw new Error(`unexpected requests: ${JSON.stringify(fake.unexpected().map((r) => r.path))}`);
    return {
      size,
      firstPollCalls,
      quietCalls,
      quietPaths: [...paths],
      quietMs: quietMs / QUIET_POLLS,
      newCalls: calls.length,
      newProcessed: fresh.processed,
      newHistoryCalls: calls.filter((r) => r.path.endsWith('/history')).length,
      newGets: calls.filter((r) => r.path.includes('/messages/')).length,
    };
  } finally {
    await fake.close();
    await opened.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const rows: Row[] = [];
for (const size of SIZES) rows.push(await measure(size));
const base = rows[0];
if (!base) throw new Error('no rows');
const avg = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;
const constant = rows.every((row) => row.quietCalls.every((calls) => calls === 1));
const lines = [
  '## Gmail: API calls per poll vs mailbox size (issue 11)',
  '',
  `The real MailPoller + Gmail adapter against the fake Google over HTTP, fresh embedded PGlite per size. The mailbox holds N old INBOX messages; ` +
    `after the first poll, ${QUIET_POLLS} polls with nothing new (historyId moved by a label change), then one poll after ${NEW_MAILS} new messages. ` +
    'Calls are Gmail API requests (token refreshes not counted). Ratios against the 1k mailbox in the same run.',
  '',
  '| mailbox | first poll: calls | quiet poll: calls (each) | ratio vs 1k | quiet poll: ms (mean) | 10 new: calls (history + gets) | 10 new: processed |',
  '| ---: | ---: | --- | ---: | ---: | ---: | ---: |',
  ...rows.map(
    (row) =>
      `| ${row.size.toLocaleString('en')} | ${row.firstPollCalls} | ${row.quietCalls.join(', ')} | ${(avg(row.quietCalls) / avg(base.quietCalls)).toFixed(2)}× | ${row.quietMs.toFixed(1)} | ${row.newCalls} (${row.newHistoryCalls} + ${row.newGets}) | ${row.newProcessed} |`,
  ),
  '',
  `Quiet polls call only: ${rows[0]?.quietPaths.map((p) => `\`${p}\``).join(', ')}. ` +
    `Target: constant 1 call per quiet poll at every size: ${constant ? 'met' : 'missed'}.`,
];
process.stdout.write(`${lines.join('\n')}\n`);
