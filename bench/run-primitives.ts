/**
 * `npx tsx bench/run-primitives.ts [--quick]`: the election and semaphore rows alone, against the
 * same local server as `npm run bench` (20 ms a request, GCS's write rate limit), until bench.ts
 * runs them with the rest.
 */
import { GCS_RATE_LIMIT } from '../src/server/engine/rate-limiter.js';
import { startServer } from '../src/server/start-server.js';
import { LATENCY_MS } from './bench.js';
import type { BenchEnv } from './env.js';
import { primitives, primitivesTable } from './scenarios/primitives.js';
import { WireCounter } from './wire-counter.js';

const quick = process.argv.includes('--quick');
const server = await startServer({ buckets: ['bench'], rateLimit: GCS_RATE_LIMIT });
server.faults.add({ kind: 'latency', latencyMs: LATENCY_MS });
const wire = await WireCounter.start(server.url);
let serial = 0;
const started = performance.now();
const env: BenchEnv = {
  server,
  wire,
  endpoint: wire.url,
  bucket: 'bench',
  quick,
  nextObject: (prefix) => `${prefix}/${++serial}`,
  log: (message) =>
    process.stderr.write(`${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ${message}\n`),
};
try {
  const result = await primitives(env);
  process.stdout.write(`${primitivesTable(result)}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await wire.close();
  await server.close();
}
