import { defineConfig } from 'vitest/config';
import SlowFirstSequencer from './test/support/slow-first-sequencer.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Most files wait on a spawned daemon, a socket or the clock, not on the CPU: more files
    // than cores at once finish sooner (vitest's default is one fewer than the cores: 1 on 2).
    maxWorkers: 3,
    sequence: { sequencer: SlowFirstSequencer },
    globalSetup: ['test/global-setup.ts'],
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
