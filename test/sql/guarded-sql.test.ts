import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Db, type OpenDatabase } from '../../src/db/index.js';
import { silentLogger } from '../../src/log/index.js';
import { capabilitySqlNames, checkStatement, ensureCapabilitySchema, ensureSqlRoles, GuardedSql, SQL_READER_ROLE, SQL_WRITER_ROLE } from '../../src/sql/index.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../support/databases.js';

describe('checkStatement', () => {
  it('accepts one read or one row write, and refuses everything else', () => {
    expect(checkStatement('select 1;')).toMatchObject({ ok: true, kind: 'read', text: 'select 1' });
    expect(checkStatement("with t as (select 'a;b' as x) select * from t")).toMatchObject({ ok: true, kind: 'read' });
    expect(checkStatement('-- a comment; with a semicolon\nselect $$;)$$, "we;ird" from tasks')).toMatchObject({ ok: true, kind: 'read' });
    expect(checkStatement("update preferences set value = 'x' where key = 'k'")).toMatchObject({ ok: true, kind: 'write' });
    expect(checkStatement('select 1; drop table tasks')).toMatchObject({ ok: false, error: 'only one statement at a time' });
    expect(checkStatement("select 1 from tasks) as limited; drop table tasks; select (1")).toMatchObject({ ok: false });
    expect(checkStatement('select (1')).toMatchObject({ ok: false, error: 'the parentheses do not match' });
    expect(checkStatement("select 'open")).toMatchObject({ ok: false, error: 'a string literal is not closed' });
    expect(checkStatement("select E'\\';drop table tasks'")).toMatchObject({ ok: true, kind: 'read' });
    expect(checkStatement('drop table tasks')).toMatchObject({ ok: false, error: expect.stringContaining('not DROP') });
    expect(checkStatement('set role postgres')).toMatchObject({ ok: false });
    expect(checkStatement('commit')).toMatchObject({ ok: false });
    expect(checkStatement('/* unclosed')).toMatchObject({ ok: false });
    expect(checkStatement('  ')).toMatchObject({ ok: false, error: 'the statement is empty' });
  });
});

describe.each(databaseKinds())('guarded SQL on %s', (kind) => {
  let database: TestDatabase;
  let opened: OpenDatabase;
  let db: Db;
  let guarded: GuardedSql;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    opened = await openDatabase(database.settings, silentLogger());
    const migrated = await migrateToLatest(opened.db);
    if (!migrated.ok) throw new Error(migrated.reason);
    db = opened.db;
    await ensureSqlRoles(db);
    await ensureSqlRoles(db); // idempotent
    guarded = new GuardedSql(db, opened.kind, { maxRows: 5, timeoutMs: 1_000, maxCost: 100_000 });
    expect(await guarded.read({ text: 'select 1', role: SQL_READER_ROLE, searchPath: 'public' })).toMatchObject({ ok: false, error: expect.stringContaining('not set up') });
    guarded.setAvailability(undefined);
    for (let i = 0; i < 8; i += 1) {
      await db.insertInto('preferences').values({ key: `k${i}`, value: `v${i}` }).execute();
    }
    await db.insertInto('credentials').values({ name: 'google', sealed: 'sealed-token' }).execute();
  });

  afterAll(async () => {
    await opened.close();
    await database.drop();
  });

  const read = (text: string, params: unknown[] = []) => guarded.read({ text, params, role: SQL_READER_ROLE, searchPath: 'public' });

  it('reads the owner\'s tables with a row cap, and binds parameters as literals', async () => {
    const all = await read('select key, value from preferences order by key');
    expect(all).toMatchObject({ ok: true, truncated: true });
    if (all.ok) expect(all.rows).toHaveLength(5);
    const one = await read('select value from preferences where key = $1', ["k3' or 'a'='a"]);
    expect(one).toEqual({ ok: true, rows: [], truncated: false });
    const exact = await read('select value from preferences where key = $1', ['k3']);
    expect(exact).toEqual({ ok: true, rows: [{ value: 'v3' }], truncated: false });
  });

  it('cannot read what the role was not granted: credentials, settings, inbox, approvals', async () => {
    for (const table of ['credentials', 'settings', 'inbox', 'approvals', 'outbox']) {
      const result = await read(`select * from ${table}`);
      expect(result, table).toMatchObject({ ok: false, error: expect.stringContaining('permission denied') });
    }
  });

  it('refuses writes and DDL on the read path, even hidden in a CTE, and leaves the data alone', async () => {
    expect(await read("with gone as (delete from preferences returning *) select * from gone")).toMatchObject({ ok: false });
    expect(await read("select set_config('role', 'postgres', false)")).toMatchObject({ ok: false, error: 'set_config is not allowed' });
    expect(await read(`select "SET_CONFIG"('role', 'postgres', false)`)).toMatchObject({ ok: false });
    expect(await read(String.raw`select U&"set\005fconfig"('role', 'postgres', false)`)).toMatchObject({ ok: false });
    // Past the statement check, the role itself may not call set_config (SET ROLE would be
    // checked against the daemon's session user and undo the restriction).
    const escape = await db
      .transaction()
      .execute(async (trx) => {
        await sql.raw(`set local role ${SQL_READER_ROLE}`).execute(trx);
        await sql`select set_config('role', 'postgres', true)`.execute(trx);
        return 'escaped';
      })
      .catch((err: unknown) => (err instanceof Error ? err.message : String(err)));
    expect(escape).toContain('permission denied for function set_config');
    expect(await read('delete from preferences')).toMatchObject({ ok: false, error: expect.stringContaining('approval') });
    const count = await db.selectFrom('preferences').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
    expect(Number(count?.n)).toBe(8);
    // The session is back to the daemon's own role afterwards.
    const who = await sql<{ u: string }>`select current_user as u`.execute(db);
    expect(who.rows[0]?.u).not.toBe(SQL_READER_ROLE);
  });

  it('guards cost without statement_timeout: an expensive plan is refused before it runs', async () => {
    const result = await read('select count(*) from generate_series(1, 100000000) a');
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining('too expensive') });
    const cross = await read('select count(*) from generate_series(1, 10000) a, generate_series(1, 10000) b');
    expect(cross).toMatchObject({ ok: false, error: expect.stringContaining('too expensive') });
    if (kind === 'pglite') {
      expect(await read('select pg_sleep(5)')).toMatchObject({ ok: false, error: 'pg_sleep is not allowed' });
      expect(await read('with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r')).toMatchObject({ ok: false, error: expect.stringContaining('recursive') });
    } else {
      // PostgreSQL also has the statement timeout.
      expect(await read('select pg_sleep(5)')).toMatchObject({ ok: false, error: 'the query took too long and was stopped' });
    }
  });

  it('previews a write by trying it and rolling back, and runs it only if it still changes the same rows', async () => {
    const write = { text: "update preferences set value = 'changed' where key in ('k1', 'k2')", role: SQL_WRITER_ROLE, searchPath: 'public' };
    expect(await guarded.dryRun(write)).toEqual({ ok: true, affected: 2 });
    const untouched = await db.selectFrom('preferences').select('value').where('key', '=', 'k1').executeTakeFirst();
    expect(untouched?.value).toBe('v1');
    await db.deleteFrom('preferences').where('key', '=', 'k2').execute();
    expect(await guarded.write(write, 2)).toMatchObject({ ok: false, error: expect.stringContaining('instead of the 2 you approved') });
    expect((await db.selectFrom('preferences').select('value').where('key', '=', 'k1').executeTakeFirst())?.value).toBe('v1');
    expect(await guarded.write(write, 1)).toEqual({ ok: true, affected: 1 });
    expect((await db.selectFrom('preferences').select('value').where('key', '=', 'k1').executeTakeFirst())?.value).toBe('changed');
    const denied = await guarded.dryRun({ text: 'delete from credentials', role: SQL_WRITER_ROLE, searchPath: 'public' });
    expect(denied).toMatchObject({ ok: false, error: expect.stringContaining('permission denied') });
  });

  it('a capability reads only its own schema', async () => {
    await ensureCapabilitySchema(db, 'groceries');
    await ensureCapabilitySchema(db, 'other_cap');
    const at = new Date();
    await db.insertInto('capability_kv').values([
      { capability: 'groceries', key: 'week1', value: '12.5', updated_at: at },
      { capability: 'groceries', key: 'week2', value: '7.5', updated_at: at },
      { capability: 'other_cap', key: 'secret', value: '"theirs"', updated_at: at },
    ]).execute();
    const own = capabilitySqlNames('groceries');
    const sum = await guarded.read({ text: 'select sum((value)::numeric)::float8 as total from kv', role: own.role, searchPath: own.schema });
    expect(sum).toEqual({ ok: true, rows: [{ total: 20 }], truncated: false });
    for (const text of ['select * from cap_other_cap.kv', 'select * from public.capability_kv', 'select * from public.preferences']) {
      expect(await guarded.read({ text, role: own.role, searchPath: own.schema }), text).toMatchObject({ ok: false, error: expect.stringContaining('permission denied') });
    }
  });
});
