import type { Feature, FeatureDeps } from '../app/feature.js';
import type { ApprovalService } from '../approvals/index.js';
import { ChatHandlers, type Buttons } from '../commands/index.js';
import { CredentialStore } from '../secrets/index.js';
import { ensureSqlRoles, GuardedSql, registerSqlTools, type QueryLimits } from '../sql/index.js';
import { CapabilityService } from './capability-service.js';
import { registerCapabilityTools } from './capability-tools.js';
import { capabilitySecretKey } from './host/capability-host.js';
import type { ToolRegistry } from '../tools/index.js';
import type { SandboxLimits } from './sandbox/index.js';

export interface CapabilitiesFeatureDeps extends FeatureDeps {
  tools: ToolRegistry;
  approvals: ApprovalService;
}

export interface CapabilitiesFeatureOptions {
  clock?: () => Date;
  fetchImpl?: typeof fetch;
  limits?: Partial<SandboxLimits>;
}

/** execute_sql and capabilities' SQL: a few hundred rows, and a planner cost cap (PGlite has no statement timeout). */
export const SQL_LIMITS: QueryLimits = { maxRows: 200, timeoutMs: 5_000, maxCost: 100_000 };

const ROLLBACK = /^cap:rb:([a-z][a-z0-9_]{1,31}):(\d+):(\d+)$/;
const ENABLE = /^cap:on:([a-z][a-z0-9_]{1,31})$/;
const SECRET_NAME = /^[a-z][a-z0-9_]{1,39}$/;

/**
 * Capabilities Z writes for itself (write_capability, one `cap_<name>` tool per active
 * version, /capabilities with rollback and re-enable buttons) and execute_sql.
 */
export function createCapabilitiesFeature(shared: CapabilitiesFeatureDeps, options: CapabilitiesFeatureOptions = {}): Feature {
  const { db, databaseKind, config, tools, approvals, messenger, registry } = shared;
  const log = shared.log.child({ part: 'capabilities' });
  const clock = options.clock ?? (() => new Date());
  const guardedSql = new GuardedSql(db, databaseKind, SQL_LIMITS);
  const secretKeys = config.google.secretKeys;
  const secrets = secretKeys.length > 0 ? new CredentialStore(db, secretKeys) : undefined;
  const service = new CapabilityService({
    db,
    chats: shared.chats,
    approvals,
    tools,
    messenger,
    log,
    clock,
    host: { db, guardedSql, secrets, clock, ...(options.fetchImpl ? { fetchImpl: options.fetchImpl } : {}) },
    ...(options.limits ? { limits: options.limits } : {}),
  });
  registerCapabilityTools(tools, service);
  registerSqlTools(tools, { db, guardedSql, approvals });

  const handlers = new ChatHandlers();
  registry.add({ command: 'capabilities', description: 'Capabilities Z built: versions, rollback, turn back on' });
  handlers.command('capabilities', async (request) => {
    const all = await service.list();
    if (all.length === 0) {
      await request.reply('No capabilities yet. Ask Z to build one (for example "track my grocery spending"); you approve each version.');
      return;
    }
    const lines = ['**Capabilities**'];
    const buttons: Buttons = [];
    for (const { state, approved } of all) {
      const active = approved.find((v) => v.version === state.activeVersion);
      lines.push(
        `• ${state.name} v${state.activeVersion ?? '?'} ${state.enabled ? 'on' : `OFF (${state.failures} failures; last: ${state.lastError ?? 'unknown'})`}${active ? ` · sha256 ${active.hash.slice(0, 12)}` : ''}`,
      );
      const previous = approved.find((v) => state.activeVersion !== null && v.version < state.activeVersion);
      if (previous && state.activeVersion !== null) buttons.push([{ text: `↩ ${state.name}: back to v${previous.version}`, data: `cap:rb:${state.name}:${state.activeVersion}:${previous.version}` }]);
      if (!state.enabled) buttons.push([{ text: `▶ Turn ${state.name} on`, data: `cap:on:${state.name}` }]);
    }
    await request.reply(lines.join('\n'), buttons.length > 0 ? { buttons } : {});
  });
  registry.add({ command: 'capsecret', description: 'Store a secret a capability sends to its approved host', args: '<name> <value>' });
  handlers.command('capsecret', async (request) => {
    // Whatever happens next, the inbox keeps no copy of this message's text.
    request.keepNoCopy();
    const [name = '', ...rest] = request.args.trim().split(/\s+/);
    const value = rest.join(' ');
    await request.deleteMessage().catch(() => undefined);
    if (!secrets) {
      await request.reply('Not stored: capability secrets are sealed with OPENZERO_SECRET_KEY, which is not set. Set it (see the README), restart, and send the secret again.');
      return;
    }
    if (!SECRET_NAME.test(name) || value === '') {
      await request.reply('Usage: /capsecret <name> <value>, where <name> is what the capability\'s approved permissions call it (lower-case letters, digits, _). Your message was deleted.');
      return;
    }
    await secrets.put(capabilitySecretKey(name), value);
    await request.reply(`🔑 Stored the secret ${name}, sealed. Your message was deleted and no copy of it was kept. A capability sends it only as the header its approved version names, and only to that host; its code never sees it.`);
  });
  handlers.button(ROLLBACK, async (press) => {
    const [, name = '', from = '0', to = '0'] = ROLLBACK.exec(press.data) ?? [];
    const outcome = await service.rollback(name, Number(to), Number(from));
    await press.answer(outcome.slice(0, 190));
    await press.reply(outcome);
  });
  handlers.button(ENABLE, async (press) => {
    const [, name = ''] = ENABLE.exec(press.data) ?? [];
    const outcome = await service.enable(name);
    await press.answer(outcome.slice(0, 190));
    await press.reply(outcome);
  });
  handlers.button(/^cap:/, async (press) => {
    await press.answer('That capability button is not one I understand.');
  });

  return {
    name: 'capabilities',
    handlers,
    statusLines: async () => {
      const all = await service.list();
      const off = all.filter((c) => !c.state.enabled).length;
      return [`Capabilities: ${all.length - off} on${off > 0 ? `, ${off} off` : ''}.${guardedSql.unavailable ? ` execute_sql unavailable: ${guardedSql.unavailable}.` : ''}`];
    },
    start: async () => {
      try {
        await ensureSqlRoles(db);
        guardedSql.setAvailability(undefined);
      } catch (err) {
        guardedSql.setAvailability(`the database user cannot set up the restricted roles (${err instanceof Error ? err.message : String(err)}); run openzero as the database's owner with CREATEROLE`);
        log.warn({ err }, 'execute_sql roles could not be set up');
      }
      await service.load();
    },
  };
}
