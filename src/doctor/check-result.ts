/** One line of the doctor's report: ✅ fine, ⚠️ worth a look, ❌ broken (non-zero exit). */
export interface CheckResult {
  status: 'ok' | 'warn' | 'fail';
  check: string;
  found: string;
  /** The exact fix; absent when there is nothing to do. */
  fix?: string;
}

const ICON = { ok: '✅', warn: '⚠️', fail: '❌' } as const;

export function formatResult(result: CheckResult): string {
  return `${ICON[result.status]} ${result.check}: ${result.found}${result.fix ? ` → ${result.fix}` : ''}`;
}

export const ok = (check: string, found: string): CheckResult => ({ status: 'ok', check, found });
export const warn = (check: string, found: string, fix?: string): CheckResult => ({ status: 'warn', check, found, ...(fix ? { fix } : {}) });
export const fail = (check: string, found: string, fix: string): CheckResult => ({ status: 'fail', check, found, fix });
