/**
 * Runs every bench/*.bench.ts, each in its own child process, one after another, and prints
 * their Markdown sections under a header describing the machine. Builds dist/ first (the
 * pipeline benchmark starts `node dist/main.js`, as `npm start` does).
 *
 *   npm run bench        (= npx tsx bench/run.ts)
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

function runOne(file: string): Promise<{ code: number; seconds: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), seconds: (Date.now() - started) / 1000 }));
  });
}

const load = (): string => os.loadavg().map((value) => value.toFixed(2)).join(' / ');

async function main(): Promise<number> {
  process.stderr.write('building dist/ …\n');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT, stdio: 'inherit' });
  const files = fs
    .readdirSync(path.join(ROOT, 'bench'))
    .filter((name) => name.endsWith('.bench.ts'))
    .sort()
    .map((name) => path.join('bench', name));
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      '# openzero benchmarks',
      '',
      `Machine: ${os.cpus().length} cores (${cpu}), ${Math.round(os.totalmem() / 2 ** 30)} GB RAM, ${os.type()} ${os.release()}, Node ${process.version}.`,
      `Started ${new Date().toISOString()}; load average (1/5/15 min) at start: ${load()}.`,
      '',
      '',
    ].join('\n'),
  );
  const failed: string[] = [];
  for (const file of files) {
    process.stderr.write(`running ${file} …\n`);
    const { code, seconds } = await runOne(file);
    process.stdout.write(`\n_${file}: ${code === 0 ? 'ok' : `FAILED (exit ${code})`} in ${seconds.toFixed(0)} s; load average after: ${load()}._\n\n`);
    if (code !== 0) failed.push(file);
  }
  if (failed.length > 0) process.stderr.write(`failed: ${failed.join(', ')}\n`);
  return failed.length > 0 ? 1 : 0;
}

process.exitCode = await main();
