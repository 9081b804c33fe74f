import { spawn } from 'node:child_process';
import path from 'node:path';

/** Where `scripts/backup.sh` sits: two folders up from dist/backup (or src/backup). */
export const BACKUP_SCRIPT = path.resolve(import.meta.dirname, '../../scripts/backup.sh');

export type BackupOutcome = { ok: true; archive: string } | { ok: false; reason: string };

/**
 * Runs `scripts/backup.sh --dir <dir>` as a child process (it inherits the daemon's
 * settings) and reports its last words. Never throws: a failure is a value.
 * On the embedded database the script asks this very daemon for a snapshot over
 * its unix socket, so the daemon must keep serving while this runs.
 */
export async function runBackupScript(options: { dir: string; script?: string; timeoutMs?: number }): Promise<BackupOutcome> {
  const script = options.script ?? BACKUP_SCRIPT;
  return new Promise<BackupOutcome>((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn('bash', [script, '--dir', options.dir], { cwd: path.dirname(path.dirname(script)), stdio: ['ignore', 'pipe', 'pipe'] });
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 30 * 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ ok: false, reason: `cannot run ${script}: ${err.message}` });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const archive = /wrote (\S+)/.exec(stdout)?.[1];
      if (code === 0 && archive) {
        resolve({ ok: true, archive });
        return;
      }
      const last = stderr.trim().split('\n').pop()?.replace(/^backup: /, '') ?? '';
      resolve({ ok: false, reason: last || (signal ? `stopped by ${signal}` : `exit status ${String(code)}`) });
    });
  });
}
