import fs from 'node:fs';

export interface ProcessMemory {
  /** Resident set size now (VmRSS), in MB. */
  rssMb: number;
  /** Peak resident set size so far (VmHWM), in MB. */
  peakMb: number;
}

/** Reads a live process's memory from /proc/<pid>/status (Linux only). */
export function processMemory(pid: number): ProcessMemory {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!match?.[1]) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]);
  };
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}
