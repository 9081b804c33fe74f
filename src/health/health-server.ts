import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log/index.js';

export interface HealthFacts {
  database: boolean;
  polling: 'alive' | 'stale' | 'off';
  uptimeSeconds: number;
  version: string;
}

/**
 * GET /health on a local port: 200 with a small JSON status when the database
 * answers and polling is alive (or Telegram is not configured), 503 otherwise.
 */
export async function startHealthServer(options: { host: string; port: number; facts: () => Promise<HealthFacts>; log: Logger }): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/health') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not found' }));
      return;
    }
    options
      .facts()
      .then((facts) => {
        const healthy = facts.database && facts.polling !== 'stale';
        res.writeHead(healthy ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ status: healthy ? 'ok' : 'unavailable', ...facts }));
      })
      .catch((err: unknown) => {
        options.log.warn({ err }, 'health check failed');
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unavailable' }));
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
