/**
 * `npm run bench` (about four minutes) or `npm run bench -- --quick` (seconds): runs every scenario,
 * prints one table, and writes bench/results/latest.{json,md} and docs/bench-chart.svg.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { runBench } from './bench.js';
import { renderChart } from './chart.js';
import { renderReport } from './table.js';

const quick = process.argv.includes('--quick');
const results = await runBench({ quick, log: (message) => process.stderr.write(`  ${message}\n`) });
const report = renderReport(results);
process.stdout.write(`${report}\n`);

const root = new URL('../', import.meta.url);
await mkdir(new URL('bench/results/', root), { recursive: true });
// A quick run must not overwrite the full run's numbers the docs quote.
const name = quick ? 'quick' : 'latest';
await writeFile(new URL(`bench/results/${name}.json`, root), `${JSON.stringify(results, null, 2)}\n`);
await writeFile(new URL(`bench/results/${name}.md`, root), `${report}\n`);
if (!quick) await writeFile(new URL('docs/bench-chart.svg', root), renderChart(results.contention));
process.stderr.write(
  `done in ${results.seconds.toFixed(0)} s; wrote bench/results/${name}.{json,md}${quick ? '' : ' and docs/bench-chart.svg'}\n`,
);
