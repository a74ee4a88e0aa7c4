import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { bundled } from '../bundle.js';
import { addCounts, type CountSnapshot } from '../counting-store.js';
import type { BenchEnv } from '../env.js';
import {
  analyseFairness,
  type FairnessStats,
  type FairWorkerConfig,
  type FairWorkerResult,
  type GrantRecord,
} from '../fair-analysis.js';
import { WireCounter } from '../wire-counter.js';

const WORKER = new URL('./fair-worker.ts', import.meta.url);

export type FairVariantKey = 'unfair-procs' | 'fair-procs' | 'unfair-local' | 'fair-local';

/** The loop's variants: 0.1's behaviour and the default, each across processes and within one. */
export const FAIR_VARIANTS: ReadonlyArray<{
  key: FairVariantKey;
  label: string;
  fair: boolean;
  inProcess: boolean;
}> = [
  { key: 'unfair-procs', label: 'fair: false, processes', fair: false, inProcess: false },
  { key: 'fair-procs', label: 'fair: true (default), processes', fair: true, inProcess: false },
  { key: 'unfair-local', label: 'fair: false, one process', fair: false, inProcess: true },
  { key: 'fair-local', label: 'fair: true (default), one process', fair: true, inProcess: true },
];

export interface LoopSettings {
  holdMs: number;
  thinkMs: number;
  ttl: number;
  /** The whole run of a cell. */
  seconds: number;
  /**
   * Left out of the figures (not of the request counts): every worker's first acquisition is cold,
   * in processes that all start at once, and at the write limit the burst is spent meanwhile.
   */
  warmUpMs: number;
}

export interface FairnessCell {
  variant: FairVariantKey;
  workers: number;
  settings: LoopSettings;
  stats: FairnessStats;
  /** Every request the workers made, counted by their stores, by object, operation and outcome. */
  counts: CountSnapshot;
  /** The same requests as the wire saw them (a cross-check of the stores' counts). */
  wireTotal: number;
  errors: string[];
  /** Every grant, in fence order, its times in ms from the start of the window: the raw data. */
  grants: GrantRecord[];
}

interface CellSpec {
  variant: (typeof FAIR_VARIANTS)[number];
  workers: number;
}

/**
 * The fairness loop (issue 16): `workers` loop acquire → hold → release → think on one lock, for every
 * variant and worker count at once, each cell on its own lock object (GCS's write limit is per object)
 * behind its own counting proxy. Workers are child processes: one per worker ("processes"), or one
 * process running every worker on one shared store ("one process": coalesced, local hand-off).
 */
export async function fairnessCells(
  env: BenchEnv,
  levels: readonly number[],
  variants: ReadonlyArray<FairVariantKey>,
  settings: LoopSettings,
): Promise<FairnessCell[]> {
  const specs: CellSpec[] = levels.flatMap((workers) =>
    FAIR_VARIANTS.filter((v) => variants.includes(v.key)).map((variant) => ({ variant, workers })),
  );
  const script = await bundled(WORKER);
  const wires = await Promise.all(specs.map(() => WireCounter.start(env.server.url)));
  const children: Array<Worker & { cell: number }> = [];
  try {
    for (const [cell, spec] of specs.entries()) {
      const object = env.nextObject(`loop-${spec.variant.key}-${spec.workers}`);
      const base = {
        endpoint: wires[cell]!.url,
        warmUpUrl: `${env.server.url}/storage/v1/b/${env.bucket}`,
        bucket: env.bucket,
        object,
        fair: spec.variant.fair,
        ttl: settings.ttl,
        holdMs: settings.holdMs,
        thinkMs: settings.thinkMs,
        staggerMs: 500,
        drain: env.quick,
      };
      const configs: FairWorkerConfig[] = spec.variant.inProcess
        ? [{ ...base, firstWorker: 0, workers: spec.workers }]
        : Array.from({ length: spec.workers }, (_, i) => ({ ...base, firstWorker: i, workers: 1 }));
      for (const config of configs) children.push({ cell, ...startWorker(script, config) });
    }
    await Promise.all(children.map((c) => c.ready));
    const start = monotonic() + 300;
    const end = start + settings.seconds * 1000;
    for (const { child } of children) child.stdin?.end(`${JSON.stringify({ start, end })}\n`);
    const results = await Promise.all(children.map((c) => c.result));
    return specs.map((spec, cell) => {
      const mine = results.filter((_, i) => children[i]!.cell === cell);
      return {
        variant: spec.variant.key,
        workers: spec.workers,
        settings,
        stats: analyseFairness(mine, spec.workers, start + settings.warmUpMs, end),
        counts: addCounts(...mine.map((r) => r.counts)),
        wireTotal: wires[cell]!.snapshot().total,
        errors: mine.flatMap((r) => r.errors),
        grants: relative(mine, start),
      };
    });
  } finally {
    for (const { child } of children) if (child.exitCode === null) child.kill('SIGKILL');
    await Promise.all(wires.map((wire) => wire.close()));
  }
}

/** The grants in fence order, every time rounded to the ms and counted from `start`. */
function relative(results: readonly FairWorkerResult[], start: number): GrantRecord[] {
  const at = (t: number): number => Math.round(t - start);
  return results
    .flatMap((r) => r.grants)
    .sort((a, b) => (BigInt(a.fence) < BigInt(b.fence) ? -1 : 1))
    .map((g) => ({
      ...g,
      asked: at(g.asked),
      got: at(g.got),
      releaseAt: at(g.releaseAt),
      released: at(g.released),
    }));
}

const monotonic = (): number => Number(process.hrtime.bigint()) / 1e6;

interface Worker {
  child: ChildProcess;
  /** Resolves on the worker's first line (it has loaded and waits for the start). */
  ready: Promise<void>;
  result: Promise<FairWorkerResult>;
}

function startWorker(script: string, config: FairWorkerConfig): Worker {
  const child = spawn(process.execPath, [script, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(line);
    if (lines.length === 1) onReady();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const result = exited.then((code) => {
    const last = lines.at(-1);
    if (code === 0 && last?.startsWith('{"grants"')) return JSON.parse(last) as FairWorkerResult;
    throw new Error(`fair-worker exited with ${code}: ${lines.join('\n').slice(0, 500)}`);
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('a fair-worker did not start within 60 s')), 60_000);
  });
  // A worker that dies before it is ready fails the start, not a wait of a minute.
  const started = Promise.race([ready, result.then(() => undefined), timeout]).finally(() =>
    clearTimeout(timer),
  );
  // Rejections are awaited by the caller; this keeps an early one from being "unhandled" meanwhile.
  result.catch(() => undefined);
  started.catch(() => undefined);
  return { child, ready: started, result };
}
