/**
 * Running the tests leaves the tree clean (issue 14 §4): a quick run writes only where git ignores it;
 * a full run writes the files docs/benchmark.md quotes, which are committed.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { resultPaths } from '../../bench/paths.js';

const inGit = ((): boolean => {
  try {
    execFileSync('git', ['rev-parse', '--is-inside-work-tree'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const ignored = (path: string): boolean => {
  try {
    execFileSync('git', ['check-ignore', '-q', path], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!inGit)('bench results: where they go', () => {
  it('a quick run writes only where git ignores it; a full run where it is committed', () => {
    const quick = resultPaths(true);
    expect([quick.json, quick.md].map(ignored)).toEqual([true, true]);
    expect(quick.chart).toBeUndefined();
    const full = resultPaths(false);
    expect([full.json, full.md, full.chart!].map(ignored)).toEqual([false, false, false]);
  });
});
