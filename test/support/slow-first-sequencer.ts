import path from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Files that wait for the real clock (a minute boundary) take minutes while using almost no
 * CPU: started first, they wait while the other files run beside them, instead of being
 * the last file of the run. Then the other end-to-end files (each starts the daemon), then
 * vitest's own order (slowest last time, or largest, first).
 */
const WAITS_FOR_THE_CLOCK = ['test/e2e/routines.test.ts', 'test/e2e/reminders.test.ts'];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (file: TestSpecification): number => {
      const relative = path.relative(this.ctx.config.root, file.moduleId).split(path.sep).join('/');
      if (WAITS_FOR_THE_CLOCK.includes(relative)) return 0;
      return relative.startsWith('test/e2e/') ? 1 : 2;
    };
    // A stable sort: within a rank, vitest's order stands.
    return sorted.map((file, index) => ({ file, index })).sort((a, b) => rank(a.file) - rank(b.file) || a.index - b.index).map(({ file }) => file);
  }
}
