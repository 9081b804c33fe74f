import { randomUUID } from 'node:crypto';
import type { Feature, FeatureDeps } from '../app/index.js';
import type { ApprovalService } from '../approvals/index.js';
import type { ContextProvider } from '../context/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { buildMemoryService } from './build-memory-service.js';
import { embedderStatus } from './embedder-status.js';
import { memoryCommands, registerForgetApproval } from './memory-commands.js';
import { memoryContextProvider } from './memory-context.js';
import type { MemoryService } from './memory-service.js';
import { registerMemoryTools } from './memory-tools.js';

export interface MemoryFeatureDeps extends FeatureDeps {
  tools: ToolRegistry;
  approvals: ApprovalService;
}

export interface MemoryFeature {
  feature: Feature;
  contextProvider: ContextProvider;
  service: MemoryService;
}

const PRUNE_EVERY_MS = 3_600_000;

/** Semantic memory: commands, tools, the `memory` context provider, status probes, expiry. */
export function createMemoryFeature(deps: MemoryFeatureDeps): MemoryFeature {
  const { config, db, registry, approvals, tools } = deps;
  const log = deps.log.child({ part: 'memory' });
  const built = buildMemoryService(config, db, log, {
    notifyOwner: async (text) => {
      await deps.messenger.send({ text }, { scope: `memory:${randomUUID()}` });
    },
  });
  const { service } = built;
  registerMemoryTools(tools, service, config.timeZone);
  registerForgetApproval(approvals, service);
  const handlers = memoryCommands({ service, approvals, registry, timeZone: config.timeZone, log });

  let pruneTimer: NodeJS.Timeout | undefined;
  const prune = async (): Promise<void> => {
    try {
      await service.pruneExpired();
    } catch (err) {
      log.warn({ err }, 'pruning expired memories failed');
    }
  };

  const feature: Feature = {
    name: 'memory',
    handlers,
    probes: [
      {
        name: 'Qdrant',
        configured: config.qdrant !== undefined,
        notConfiguredNote: 'not configured, so memories are searched in process, in the embedded exact store (set QDRANT_URL to use Qdrant)',
        check: () => service.probeStore(),
      },
      {
        name: 'Embedding model',
        configured: true,
        check: () => embedderStatus(built.embedder, built.embedderState()),
      },
    ],
    statusLines: async () => {
      const { live, unindexed, unembedded } = await service.stats();
      const parts = [`Memories: ${live}`];
      if (unembedded > 0) parts.push(`${unembedded} not searchable yet (waiting for the embedding model)`);
      if (unindexed > 0) parts.push(`${unindexed} waiting to be indexed in Qdrant`);
      if (service.storeKind === 'embedded') parts.push((await service.probeStore()).detail);
      return [parts.join(' · ')];
    },
    start: async () => {
      // Not awaited: the index loads in the background so the bot answers at once.
      service.start();
      void prune();
      pruneTimer = setInterval(() => void prune(), PRUNE_EVERY_MS);
      pruneTimer.unref();
    },
    stop: async () => {
      clearInterval(pruneTimer);
      await service.stop();
      await built.dispose();
    },
  };
  return { feature, contextProvider: memoryContextProvider(service, config.timeZone, log), service };
}
