import { z } from 'zod';
import { writeAudit } from '../../audit/index.js';
import type { Db } from '../../db/index.js';
import type { CredentialStore } from '../../secrets/index.js';
import { capabilitySqlNames, type GuardedSql } from '../../sql/index.js';
import type { CapabilityVersion } from '../capabilities-repo.js';
import { kvCount, kvDelete, kvGet, kvList, kvSet } from '../capabilities-repo.js';
import type { HostFunction } from '../sandbox/index.js';
import { createFetchHost, type InjectedSecret } from './fetch-host.js';

export interface CapabilityHostDeps {
  db: Db;
  guardedSql: GuardedSql;
  /** Where capability secrets live (`capability-secret:<name>`); absent when OPENZERO_SECRET_KEY is not set. */
  secrets: CredentialStore | undefined;
  clock: () => Date;
  fetchImpl?: typeof fetch;
}

const KV_MAX_KEYS = 1_000;
const KV_MAX_VALUE = 16 * 1024;
const KeyArgs = z.object({ key: z.string().min(1).max(200) });
const SetArgs = KeyArgs.extend({ value: z.unknown() });
const ListArgs = z.object({ prefix: z.string().max(200) });
const SqlArgs = z.object({ query: z.string().max(10_000), params: z.array(z.union([z.string(), z.number(), z.boolean(), z.null()])).max(20) });

/** The secret's stored name in the credential store. */
export function capabilitySecretKey(name: string): string {
  return `capability-secret:${name}`;
}

/**
 * The host functions one version gets, and only those its permissions name: fetch to its
 * approved hosts (each request audited with its destination), read-only SQL over its own
 * schema as its own role, and its own key-value store. Arguments are checked with zod.
 */
export async function capabilityHost(deps: CapabilityHostDeps, version: CapabilityVersion): Promise<Partial<Record<string, HostFunction>>> {
  const { db, clock } = deps;
  const { permissions, name } = version;
  const host: Partial<Record<string, HostFunction>> = {};
  if (permissions.hosts.length > 0) {
    const secrets: InjectedSecret[] = [];
    for (const secret of permissions.secrets) {
      const value = await deps.secrets?.get(capabilitySecretKey(secret.name));
      if (value === undefined) throw new Error(`the secret ${secret.name} is not stored yet; ask the owner to send /capsecret ${secret.name} <value>. Nothing was sent`);
      secrets.push({ origin: secret.host, header: secret.header, value: `${secret.prefix}${value}`, secret: value });
    }
    host.fetch = createFetchHost({
      origins: permissions.hosts,
      secrets,
      timeoutMs: 10_000,
      maxResponseBytes: 512 * 1024,
      ...(deps.fetchImpl ? { fetchImpl: deps.fetchImpl } : {}),
      onRequest: async (entry) => {
        await writeAudit(db, {
          actor: `capability:${name}`,
          action: 'capability:fetch',
          destination: entry.origin,
          detail: { version: version.version, method: entry.method, status: entry.status },
          bytesOut: entry.bytesOut,
          bytesIn: entry.bytesIn,
        });
      },
    });
  }
  if (permissions.sql) {
    const { schema, role } = capabilitySqlNames(name);
    host.sql = async (raw) => {
      const args = SqlArgs.parse(raw);
      const result = await deps.guardedSql.read({ text: args.query, params: args.params, role, searchPath: schema });
      if (!result.ok) throw new Error(`sql: ${result.error}`);
      return result.rows;
    };
  }
  if (permissions.kv) {
    host['kv.get'] = async (raw) => kvGet(db, name, KeyArgs.parse(raw).key);
    host['kv.set'] = async (raw) => {
      const args = SetArgs.parse(raw);
      const value = JSON.stringify(args.value ?? null);
      if (value.length > KV_MAX_VALUE) throw new Error(`kv: a value may be at most ${KV_MAX_VALUE} bytes`);
      if ((await kvGet(db, name, args.key)) === null && (await kvCount(db, name)) >= KV_MAX_KEYS) throw new Error(`kv: at most ${KV_MAX_KEYS} keys`);
      await kvSet(db, name, args.key, value, clock());
      return null;
    };
    host['kv.delete'] = async (raw) => kvDelete(db, name, KeyArgs.parse(raw).key);
    host['kv.list'] = async (raw) => kvList(db, name, ListArgs.parse(raw).prefix, 200);
  }
  return host;
}
