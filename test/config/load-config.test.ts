import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';

function problems(env: Record<string, string>): string[] {
  const loaded = loadConfig(env);
  return loaded.ok ? [] : loaded.problems;
}

describe('loadConfig', () => {
  it('reports single-setting and cross-setting problems in one round, even after a type error', () => {
    const found = problems({ HEALTH_PORT: 'abc', LOG_LEVEL: 'loud', TERMINAL: 'sometimes', DEEP_THINK_MODEL: 'gpt-5', PLANKA_USERNAME: 'olive' });
    const keys = found.map((line) => line.slice(0, line.indexOf(':')));
    expect(keys.sort()).toEqual(['DEEP_THINK_API_KEY', 'DEEP_THINK_BASE_URL', 'HEALTH_PORT', 'LOG_LEVEL', 'PLANKA_BASE_URL', 'TERMINAL']);
  });

  it('names the missing Planka credentials next to an invalid single setting', () => {
    const found = problems({ USER_TIMEZONE: 'Mars/Olympus', HANDLER_CONCURRENCY: 'many', PLANKA_BASE_URL: 'http://planka.local' });
    expect(found).toContain('PLANKA_API_KEY: set PLANKA_API_KEY, or PLANKA_USERNAME and PLANKA_PASSWORD, when PLANKA_BASE_URL is set');
    expect(found.some((line) => line.startsWith('USER_TIMEZONE:'))).toBe(true);
    expect(found.some((line) => line.startsWith('HANDLER_CONCURRENCY:'))).toBe(true);
  });

  it('reports an invalid deep-think URL once, as invalid, and the other missing deep-think settings', () => {
    const found = problems({ DEEP_THINK_BASE_URL: 'not a url', DEEP_THINK_MODEL: 'gpt-5' });
    expect(found).toEqual(['DEEP_THINK_BASE_URL: expected an http:// or https:// URL, e.g. https://api.openai.com/v1', 'DEEP_THINK_API_KEY: required when any DEEP_THINK_* variable is set']);
  });

  it('accepts a complete configuration, and blank cross settings count as unset', () => {
    const loaded = loadConfig({ DEEP_THINK_BASE_URL: 'https://api.example.com/v1', DEEP_THINK_API_KEY: 'sk-1', DEEP_THINK_MODEL: 'gpt-5', PLANKA_BASE_URL: ' ', PLANKA_USERNAME: '' });
    expect(loaded.ok).toBe(true);
    expect(loaded.ok && loaded.config.deepThink?.model).toBe('gpt-5');
    expect(loaded.ok && loaded.config.planka).toBeUndefined();
  });
});
