import { EmbedderUnavailableError, type Embedder } from './embedder/index.js';
import type { EmbedderState } from './observed-embedder.js';

/** One /status line for the embedding model: ✅ loaded or loadable, ⚠️ to be downloaded, ❌ with the fix. */
export async function embedderStatus(embedder: Embedder, state: EmbedderState): Promise<{ ok: boolean; warning?: boolean; detail: string; fix?: string }> {
  if (state.state === 'loaded') return { ok: true, detail: `${embedder.modelName} loaded` };
  const check = await embedder.checkFiles?.();
  if (!check) return state.state === 'unavailable' ? unavailable(state.error) : { ok: true, detail: `${embedder.modelName} not loaded yet; it loads on first use` };
  const filesThere = check.missingFiles.length === 0;
  if (state.state === 'unavailable' && (state.error.reason === 'corrupt-files' ? filesThere : !filesThere)) {
    // The last load failed and nothing has changed since: its message has the cause and the fix.
    return unavailable(state.error);
  }
  if (filesThere) return { ok: true, detail: `${embedder.modelName}, files present in ${check.folder}; loads on first use` };
  if (!check.allowRemoteModels) {
    return unavailable(new EmbedderUnavailableError({ modelName: embedder.modelName, ...check }));
  }
  return {
    ok: true,
    warning: true,
    detail:
      `not downloaded yet: ${check.folder} lacks ${check.missingFiles.join(', ')}. It is downloaded from ${check.remoteHost} on first use, ` +
      `which needs HTTPS to ${check.remoteHost}; offline, copy the files there instead (same layout as https://${check.remoteHost}/${embedder.modelName}).`,
  };
}

/** The status line names the service itself, so the detail starts with the model. */
function unavailable(error: EmbedderUnavailableError): { ok: false; detail: string; fix: string } {
  return { ok: false, detail: `${error.modelName} is unavailable: ${error.found}`, fix: error.fix };
}
