import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Static checks on docker-compose.yml (no Docker engine needed): what the stack promises in
 * README "Running it on your server" and docs/deploy.md.
 */

interface ComposeService {
  image?: string;
  build?: unknown;
  ports?: (string | { host_ip?: string; published?: string | number; target?: number })[];
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  environment?: Record<string, string | number | boolean | null> | string[];
}

interface ComposeFile {
  services: Record<string, ComposeService>;
}

const root = path.resolve(import.meta.dirname, '..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as ComposeFile;
const services = Object.entries(compose.services);

/** Names that hold a secret: a value for one of them must come from the env file. */
const SECRET_NAME = /(PASSWORD|SECRET|TOKEN|API_KEY|_KEY$|PASSPHRASE|DATABASE_URL)/i;

function environmentOf(service: ComposeService): [string, string][] {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return env.map((line) => {
      const at = line.indexOf('=');
      return at === -1 ? [line, ''] : [line.slice(0, at), line.slice(at + 1)];
    });
  }
  return Object.entries(env).map(([name, value]) => [name, value === null ? '' : String(value)]);
}

/** The host address a published port binds to, or undefined when it binds every interface. */
function hostIpOf(port: NonNullable<ComposeService['ports']>[number]): string | undefined {
  if (typeof port !== 'string') return port.host_ip;
  // "127.0.0.1:3000:1337" → 127.0.0.1; "3000:1337" or "1337" → every interface.
  const parts = port.split(':');
  return parts.length === 3 ? parts[0] : undefined;
}

describe('docker-compose.yml', () => {
  it('has the services the docs describe', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['ollama', 'openzero', 'planka', 'postgres', 'qdrant']);
  });

  it.each(services)('%s binds every published port to 127.0.0.1 only', (_name, service) => {
    for (const port of service.ports ?? []) {
      expect(hostIpOf(port), JSON.stringify(port)).toBe('127.0.0.1');
    }
  });

  it('does not publish PostgreSQL on the host port 5432 (a host PostgreSQL may own it)', () => {
    const published = services.flatMap(([, service]) => service.ports ?? []).map((port) =>
      typeof port === 'string' ? port.split(':').at(-2) : String(port.published),
    );
    expect(published).not.toContain('5432');
  });

  it.each(services)('%s has a healthcheck', (_name, service) => {
    expect(service.healthcheck?.test, 'healthcheck.test').toBeDefined();
    expect(service.healthcheck?.disable).not.toBe(true);
  });

  it.each(services)('%s depends only on healthy services', (_name, service) => {
    const dependsOn = service.depends_on ?? {};
    expect(Array.isArray(dependsOn), 'depends_on must be the long form with a condition').toBe(false);
    for (const [dependency, rule] of Object.entries(dependsOn as Record<string, { condition?: string }>)) {
      expect(rule.condition, dependency).toBe('service_healthy');
      expect(compose.services[dependency]?.healthcheck, `${dependency} has a healthcheck`).toBeDefined();
    }
  });

  it.each(services)('%s takes every secret from the env file (${VAR} interpolation)', (_name, service) => {
    for (const [name, value] of environmentOf(service)) {
      if (!SECRET_NAME.test(name)) continue;
      // A *_FILE setting names a file; compose secrets mount theirs under /run/secrets.
      if (name.endsWith('_FILE') && value.startsWith('/run/secrets/')) continue;
      // The value is a reference such as ${POSTGRES_PASSWORD:?…}, or embeds one (a URL); no literal secret.
      const withoutReferences = value.replace(/\$\{[A-Z0-9_]+(?:(?::?[-?])[^}]*)?\}/g, '');
      expect(value, `${name} must reference a variable`).toMatch(/\$\{[A-Z0-9_]+/);
      expect(withoutReferences, `${name} holds a literal credential`).not.toMatch(/:[^/@:]+@/);
      if (!/URL$/.test(name)) expect(withoutReferences.trim(), `${name} is only the reference`).toBe('');
    }
  });

  it.each(services)('%s pins its image to a version tag', (_name, service) => {
    if (service.build !== undefined) return; // built here from the Dockerfile
    const image = service.image ?? '';
    const tag = /:([^/:@]+)$/.exec(image)?.[1];
    expect(tag, `${image} has a tag`).toBeDefined();
    expect(tag).not.toBe('latest');
    // At least major.minor (16.11, v1.18.0, 2.1.1): not a rolling "16" or "stable".
    expect(tag).toMatch(/\d+\.\d+/);
  });

  it('gives Planka its own database role, not the openzero superuser', () => {
    const planka = environmentOf(compose.services.planka!);
    const url = planka.find(([name]) => name === 'DATABASE_URL')?.[1] ?? '';
    expect(url).toMatch(/^postgresql:\/\/planka:/);
  });

  it('requires a Qdrant API key and hands it to openzero', () => {
    const qdrant = Object.fromEntries(environmentOf(compose.services.qdrant!));
    expect(qdrant.QDRANT__SERVICE__API_KEY).toMatch(/^\$\{QDRANT_API_KEY:\?/);
  });

  it('keeps the Planka username and password optional (an API key may replace them)', () => {
    const planka = Object.fromEntries(environmentOf(compose.services.planka!));
    for (const name of ['DEFAULT_ADMIN_USERNAME', 'DEFAULT_ADMIN_PASSWORD']) {
      expect(planka[name] ?? '', name).not.toContain(':?');
    }
  });
});
