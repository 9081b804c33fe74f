import { EmbedderUnavailableError, type Embedder } from './embedder/index.js';
import type { EmbedderState } from './observed-embedder.js';

/** One /status line for the embedding model: ✅ loaded or loadable, ⚠️ to be downloaded, ❌ with the fix. */
export async function embedderStatus(embedder: Embedder, state: EmbedderState): Promise<{ ok: boolean; warning?: boolean; detail: string; fix?: string }> {
  if (state.state === 'loaded') return { ok: true, detail: `${embedder.modelName} loaded` };
  const check = await embedder.checkFiles?.();
  if (!check) return state.state === 'unavailable' ? { ok: false, ...detailAndFix(state.reason) } : { ok: true, detail: `${embedder.modelName} not loaded yet; it loads on first use` };
  const filesThere = check.missingFiles.length === 0;
  if (state.state === 'unavailable' && (state.error.reason === 'corrupt-files' ? filesThere : !filesThere)) {
    // The last load failed and nothing has changed since: its message has the cause and the fix.
    return { ok: false, ...detailAndFix(state.reason) };
  }
  if (filesThere) return { ok: true, detail: `${embedder.modelName}, files present in ${check.folder}; loads on first use` };
  if (!check.allowRemoteModels) {
    const missing = new EmbedderUnavailableError({ modelName: embedder.modelName, ...check });
    return { ok: false, ...detailAndFix(missing.message) };
  }
  return {
    ok: true,
    warning: true,
    detail:
      `not downloaded yet: ${check.folder} lacks ${check.missingFiles.join(', ')}. It is downloaded from ${check.remoteHost} on first use, ` +
      `which needs HTTPS to ${check.remoteHost}; offline, copy the files there instead (same layout as https://${check.remoteHost}/${embedder.modelName}).`,
  };
}

/**
 * The loader's message ("Embedding model X is unavailable: … To fix: …") as the status line
 * wants it: what was found without the service's name (the line starts with it), and the fix apart.
 */
function detailAndFix(message: string): { detail: string; fix?: string } {
  const at = message.indexOf(' To fix: ');
  const found = (at === -1 ? message : message.slice(0, at)).replace(/^Embedding model /, '').replace(/\.$/, '');
  const fix = at === -1 ? undefined : message.slice(at + ' To fix: '.length).replace(/\.$/, '');
  return { detail: found, ...(fix ? { fix } : {}) };
}
