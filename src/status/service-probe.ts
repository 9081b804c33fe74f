/** One outside service as /status and /health see it. */
export interface ServiceProbe {
  name: string;
  /** False when the owner has not configured it; `check` is then not called. */
  configured: boolean;
  /** What to show instead of a check result when not configured. */
  notConfiguredNote?: string;
  /**
   * Never throws; resolves within its own timeout. `detail` says what was found (no need to
   * repeat the name), `fix` what the owner can do; `warning` marks a service that works only in
   * part; `refused`: the service answers but refuses us (wrong credentials, missing role), which
   * is not the same as unreachable.
   */
  check(): Promise<ProbeCheck>;
}

export interface ProbeCheck {
  ok: boolean;
  detail: string;
  fix?: string;
  warning?: boolean;
  refused?: boolean;
}

export interface ProbeResult {
  name: string;
  state: 'ok' | 'warning' | 'down' | 'refused' | 'not-configured';
  detail: string;
  fix?: string;
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
        const state = result.ok ? (result.warning === true ? 'warning' : 'ok') : result.refused === true ? 'refused' : 'down';
        return { name: probe.name, state, detail: result.detail, ...(result.fix ? { fix: result.fix } : {}) };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
}
