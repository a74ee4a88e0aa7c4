import { cpus } from 'node:os';
import { GCS_RATE_LIMIT } from '../src/server/engine/rate-limiter.js';
import { startServer } from '../src/server/start-server.js';
import type { BenchEnv } from './env.js';
import { contention, type ContentionCell } from './scenarios/contention.js';
import { recovery, type RecoveryResult } from './scenarios/recovery.js';
import { scale, type ScaleResult } from './scenarios/scale.js';
import { serverBench, type ServerResult } from './scenarios/server.js';
import { uncontended, type UncontendedResult } from './scenarios/uncontended.js';
import { WireCounter } from './wire-counter.js';

/** The injected round trip: roughly an in-region GCS request. */
export const LATENCY_MS = 20;

export interface BenchResults {
  date: string;
  quick: boolean;
  node: string;
  machine: { cpus: number; model: string };
  latencyMs: number;
  rateLimit: typeof GCS_RATE_LIMIT;
  contenders: string;
  uncontended: UncontendedResult;
  contention: ContentionCell[];
  recovery: RecoveryResult;
  scale: ScaleResult[];
  server: ServerResult;
  seconds: number;
}

/** Runs every scenario against one local server (with the realistic latency and rate limit). */
export async function runBench(options: {
  quick: boolean;
  log?: (message: string) => void;
}): Promise<BenchResults> {
  const started = performance.now();
  const say = options.log ?? (() => undefined);
  const log = (message: string): void =>
    say(`${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s  ${message}`);
  const bucket = 'bench';
  const server = await startServer({ buckets: [bucket], rateLimit: GCS_RATE_LIMIT });
  server.faults.add({ kind: 'latency', latencyMs: LATENCY_MS });
  const wire = await WireCounter.start(server.url);
  let serial = 0;
  const env: BenchEnv = {
    server,
    wire,
    endpoint: wire.url,
    bucket,
    quick: options.quick,
    nextObject: (prefix) => `${prefix}/${++serial}`,
    log,
  };
  try {
    const unc = await uncontended(env);
    const cells = await contention(env);
    const rec = await recovery(env);
    const big = await scale(options.quick ? [100] : [1_000, 10_000], options.quick, log);
    log('server: bench/server.ts');
    const srv = await serverBench(options.quick);
    return {
      date: new Date().toISOString(),
      quick: options.quick,
      node: process.version,
      machine: { cpus: cpus().length, model: cpus()[0]?.model.trim() ?? 'unknown' },
      latencyMs: LATENCY_MS,
      rateLimit: GCS_RATE_LIMIT,
      contenders:
        'separate lockers (each its own GcsStore or Storage client) in the bench process; the recovery holder is a real child process',
      uncontended: unc,
      contention: cells,
      recovery: rec,
      scale: big,
      server: srv,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    await wire.close();
    await server.close();
  }
}
