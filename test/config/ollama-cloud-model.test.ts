import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { isOllamaCloudModel } from '../../src/config/schema.js';

describe('an Ollama cloud model', () => {
  it('recognises the cloud names and leaves local ones alone', () => {
    for (const name of ['gpt-oss:120b-cloud', 'glm-4.6:cloud', 'qwen3-coder:480b-cloud', 'deepseek-v3.1:671b-CLOUD', 'kimi-k2-cloud']) {
      expect(isOllamaCloudModel(name), name).toBe(true);
    }
    for (const name of ['llama3.2:3b', 'qwen2.5:7b', 'cloudy-model:7b', 'cloud:latest-local', 'mycloud']) {
      expect(isOllamaCloudModel(name), name).toBe(false);
    }
  });

  it('stops the start with a message naming OLLAMA_MODEL and OLLAMA_ALLOW_CLOUD_MODEL', () => {
    const result = loadConfig({ OLLAMA_MODEL: 'gpt-oss:120b-cloud' });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^OLLAMA_MODEL: gpt-oss:120b-cloud is an Ollama cloud model/);
    expect(problems[0]).toContain('OLLAMA_ALLOW_CLOUD_MODEL=true');
  });

  it('is allowed only by an explicit OLLAMA_ALLOW_CLOUD_MODEL=true, and marked as such', () => {
    const allowed = loadConfig({ OLLAMA_MODEL: 'glm-4.6:cloud', OLLAMA_ALLOW_CLOUD_MODEL: 'true' });
    expect(allowed.ok && allowed.config.ollama.cloudModel).toBe(true);
    const local = loadConfig({ OLLAMA_MODEL: 'llama3.2:3b' });
    expect(local.ok && local.config.ollama.cloudModel).toBe(false);
    expect(loadConfig({ OLLAMA_MODEL: 'glm-4.6:cloud', OLLAMA_ALLOW_CLOUD_MODEL: 'false' }).ok).toBe(false);
  });
});
