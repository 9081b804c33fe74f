import { describe, expect, it } from 'vitest';
import { EmbedderUnavailableError, type Embedder, type ModelFilesCheck } from '../../src/memory/embedder/index.js';
import { embedderStatus } from '../../src/memory/embedder-status.js';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

function embedder(check: Partial<ModelFilesCheck>): Embedder {
  return {
    modelName: MODEL,
    dimensions: 384,
    embed: async () => [],
    checkFiles: async () => ({ folder: '/models/Xenova/all-MiniLM-L6-v2', missingFiles: FILES, requiredFiles: FILES, allowRemoteModels: false, remoteHost: 'huggingface.co', ...check }),
  };
}

describe('the embedding model on /status', () => {
  it('names what is missing and gives the fix apart, without repeating "Embedding model" after the line\'s own name', async () => {
    const status = await embedderStatus(embedder({}), { state: 'not-loaded' });
    expect(status.ok).toBe(false);
    expect(status.detail.startsWith(`${MODEL} is unavailable: /models/Xenova/all-MiniLM-L6-v2 lacks config.json`)).toBe(true);
    expect(status.detail).not.toContain('To fix');
    expect(status.fix).toMatch(/^copy config\.json, tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx from https:\/\/huggingface\.co\//);
  });

  it('after a failed download, says the host is unreachable and how to fix that, not to switch downloads on', async () => {
    const context = { modelName: MODEL, folder: '/models/Xenova/all-MiniLM-L6-v2', allowRemoteModels: true, missingFiles: FILES, requiredFiles: FILES, cause: Object.assign(new Error('getaddrinfo EAI_AGAIN huggingface.co'), { code: 'EAI_AGAIN' }) };
    const error = new EmbedderUnavailableError(context);
    const status = await embedderStatus(embedder({ allowRemoteModels: true }), { state: 'unavailable', reason: error.message, error });
    expect(status.ok).toBe(false);
    expect(status.detail).toContain('huggingface.co cannot be reached');
    expect(status.fix).toContain('allow HTTPS (port 443)');
    expect(`${status.detail} ${status.fix ?? ''}`).not.toContain('set ALLOW_REMOTE_MODELS=true');
  });
});
