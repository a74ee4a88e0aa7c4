import { fileURLToPath } from 'node:url';

const at = (path: string): string => fileURLToPath(new URL(`../${path}`, import.meta.url));

/**
 * Where a run writes. A full run's numbers are the ones docs/benchmark.md quotes, committed; a quick
 * run (CI's, or a developer's) goes to bench/results/tmp/, which .gitignore covers, so that running
 * the tests leaves the tree clean.
 */
export function resultPaths(quick: boolean): { dir: string; json: string; md: string; chart?: string } {
  if (quick) {
    const dir = at('bench/results/tmp');
    return { dir, json: `${dir}/quick.json`, md: `${dir}/quick.md` };
  }
  const dir = at('bench/results');
  return { dir, json: `${dir}/latest.json`, md: `${dir}/latest.md`, chart: at('docs/bench-chart.svg') };
}
