import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../../src/shared/group-commit.js';

/** A write that records each group it was given and can be told to refuse some items. */
function recorder(refuse: (item: string) => boolean = () => false) {
  const groups: string[][] = [];
  let release: (() => void) | undefined;
  let hold = false;
  const write = async (items: readonly string[]): Promise<void> => {
    groups.push([...items]);
    if (hold) await new Promise<void>((resolve) => (release = resolve));
    const bad = items.find(refuse);
    if (bad !== undefined) throw new Error(`refused ${bad}`);
  };
  return {
    groups,
    write,
    holdNext: () => (hold = true),
    /** Later writes go straight through; the held one stays held. */
    releaseAfter: () => (hold = false),
    releaseHeld: () => {
      hold = false;
      release?.();
    },
  };
}

describe('group commit', () => {
  it('writes what is submitted in one turn of the event loop as one group, in order', async () => {
    const rec = recorder();
    const commit = new GroupCommit(rec.write, { maxGroup: 8 });
    await Promise.all(['a', 'b', 'c'].map((item) => commit.submit(item)));
    expect(rec.groups).toEqual([['a', 'b', 'c']]);
  });

  it('writes a lone item on its own', async () => {
    const rec = recorder();
    const commit = new GroupCommit(rec.write, { maxGroup: 8 });
    await commit.submit('a');
    await commit.submit('b');
    expect(rec.groups).toEqual([['a'], ['b']]);
  });

  it('does not hold the next turn behind a group that is still being written', async () => {
    const rec = recorder();
    const commit = new GroupCommit(rec.write, { maxGroup: 8 });
    rec.holdNext();
    let firstDone = false;
    const first = commit.submit('a').then(() => (firstDone = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(rec.groups).toEqual([['a']]);
    rec.releaseAfter();
    await Promise.all([commit.submit('b'), commit.submit('c')]);
    expect(rec.groups).toEqual([['a'], ['b', 'c']]);
    expect(firstDone).toBe(false);
    rec.releaseHeld();
    await first;
  });

  it('never writes more than maxGroup items at once', async () => {
    const rec = recorder();
    const commit = new GroupCommit(rec.write, { maxGroup: 2 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => commit.submit(item)));
    expect(rec.groups).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
  });

  it('writes a refused group again one by one, so only the item that cannot be written fails', async () => {
    const rec = recorder((item) => item === 'bad');
    const refused: number[] = [];
    const commit = new GroupCommit(rec.write, { maxGroup: 8, onGroupRefused: (_err, size) => refused.push(size) });
    const results = await Promise.allSettled(['a', 'bad', 'c'].map((item) => commit.submit(item)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(refused).toEqual([3]);
    expect(results[1]).toMatchObject({ reason: new Error('refused bad') });
    expect(rec.groups).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    // It keeps working afterwards.
    await commit.submit('d');
    expect(rec.groups.at(-1)).toEqual(['d']);
  });
});
