import fs from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config.js';
import { envSchema, SECRET_KEYS } from '../src/config/schema.js';

const root = path.resolve(import.meta.dirname, '..');
const text = fs.readFileSync(path.join(root, '.env.example'), 'utf8');
const COMPOSE_MARKER = 'docker-compose only';

/** Keys assigned on `KEY=value` lines, in file order. */
function assignedKeys(part: string): string[] {
  return [...part.matchAll(/^([A-Z][A-Z0-9_]*)=/gm)].map((match) => match[1] ?? '');
}

const markerAt = text.indexOf(COMPOSE_MARKER);
const appPart = markerAt === -1 ? text : text.slice(0, markerAt);
const composePart = markerAt === -1 ? '' : text.slice(markerAt);
const schemaKeys = Object.keys(envSchema.shape);

describe('.env.example', () => {
  it('names exactly the variables of the config schema, each once', () => {
    const keys = assignedKeys(appPart);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...schemaKeys].sort());
  });

  it('documents each variable with a comment giving its default and an example', () => {
    const lines = appPart.split('\n');
    for (const key of schemaKeys) {
      const at = lines.findIndex((line) => line.startsWith(`${key}=`));
      const comment: string[] = [];
      for (let i = at - 1; i >= 0 && (lines[i] ?? '').startsWith('#'); i -= 1) comment.unshift(lines[i] ?? '');
      const block = comment.join('\n');
      expect(block, key).toMatch(/Default: /);
      expect(block, key).toMatch(/Example: /);
    }
  });

  it('leaves every secret blank', () => {
    const values = dotenv.parse(appPart);
    for (const key of SECRET_KEYS) expect(values[key], key).toBe('');
    const compose = dotenv.parse(composePart);
    expect(compose.POSTGRES_PASSWORD).toBe('');
    expect(compose.PLANKA_SECRET_KEY).toBe('');
  });

  it('is a valid configuration as it stands (copying it gives the defaults)', () => {
    const result = loadConfig(dotenv.parse(text));
    expect(result.ok ? [] : result.problems).toEqual([]);
  });

  it('keeps its docker-compose-only variables out of the schema and uses each of them in docker-compose.yml', () => {
    const compose = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
    const keys = assignedKeys(composePart);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(schemaKeys, key).not.toContain(key);
      expect(compose, key).toContain(`\${${key}`);
    }
    const documented = new Set([...schemaKeys, ...keys]);
    for (const match of compose.matchAll(/\$\{([A-Z][A-Z0-9_]*)/g)) expect(documented, match[1]).toContain(match[1]);
  });
});

describe('README.md', () => {
  it('has a configuration table row for every variable of the config schema', () => {
    const readme = fs.readFileSync(path.resolve(import.meta.dirname, '../README.md'), 'utf8');
    const missing = Object.keys(envSchema.shape).filter((key) => !readme.includes(`| \`${key}\` |`));
    expect(missing).toEqual([]);
  });
});
