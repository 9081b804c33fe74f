/** One outside service as /status and /health see it. */
export interface ProbeCheck {
  ok: boolean;
  detail: string;
  refused?: boolean;
  warn?: boolean;
}

export interface ServiceProbe {
  name: string;
  /** False when the owner has not configured it; `check` is then not called. */
  configured: boolean;
  /** What to show instead of a check result when not configured. */
  notConfiguredNote?: string;
  /**
   * Never throws; resolves within its own timeout. `refused`: the service answers but
   * refuses us (wrong credentials, missing role), not the same as unreachable. `warn`
   * marks a working service that needs attention (⚠️).
   */
  check(): Promise<ProbeCheck>;
}

export interface ProbeResult {
  name: string;
  state: 'ok' | 'warn' | 'down' | 'refused' | 'not-configured';
  detail: string;
}

const PROBE_TIMEOUT_MS = 3000;

export async function runProbes(probes: readonly ServiceProbe[]): Promise<ProbeResult[]> {
  return Promise.all(
    probes.map(async (probe): Promise<ProbeResult> => {
      if (!probe.configured) return { name: probe.name, state: 'not-configured', detail: probe.notConfiguredNote ?? 'not configured' };
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<ProbeCheck>((resolve) => {
        timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${PROBE_TIMEOUT_MS / 1000} s` }), PROBE_TIMEOUT_MS);
      });
      try {
        const failed = (err: unknown): ProbeCheck => ({ ok: false, detail: err instanceof Error ? err.message : String(err) });
        const result = await Promise.race([probe.check().catch(failed), timeout]);
        const state = result.ok ? (result.warn === true ? 'warn' : 'ok') : result.refused === true ? 'refused' : 'down';
        return { name: probe.name, state, detail: result.detail };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
