/**
 * `npm run bench` (about twelve minutes) or `npm run bench -- --quick` (under a minute): runs every
 * scenario and prints the report. A full run writes bench/results/latest.{json,md} and
 * docs/bench-chart.svg; a quick run writes only to bench/results/tmp/, which git ignores.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { runBench } from './bench.js';
import { renderChart } from './chart.js';
import { resultPaths } from './paths.js';
import { renderReport } from './table.js';

const quick = process.argv.includes('--quick');
const results = await runBench({ quick, log: (message) => process.stderr.write(`  ${message}\n`) });
const report = renderReport(results);
process.stdout.write(`${report}\n`);

const paths = resultPaths(quick);
await mkdir(paths.dir, { recursive: true });
await writeFile(paths.json, `${JSON.stringify(results, null, 2)}\n`);
await writeFile(paths.md, `${report}\n`);
if (paths.chart) await writeFile(paths.chart, renderChart(results.loop));
process.stderr.write(
  `done in ${results.seconds.toFixed(0)} s; wrote ${[paths.json, paths.md, paths.chart].filter(Boolean).join(', ')}\n`,
);
