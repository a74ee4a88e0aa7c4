import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Lock } from '../../src/lock/lock.js';
import type { Lease } from '../../src/lease/lease.js';
import { ControlClient } from '../../src/server/control-client.js';
import { GcsStore } from '../../src/store/gcs-store.js';
import { CountingStore } from '../counting-store.js';
import { sleep } from '../stats.js';

const CLI = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
// The defaults: 60 s ttl, a refresh every 15 s.
const TTL = 60_000;
const REFRESH = 15_000;

export interface ScaleResult {
  leases: number;
  ttl: number;
  refreshInterval: number;
  acquireSeconds: number;
  heapBytesPerLease: number;
  rssBytesPerLease: number;
  /** CPU time of this process per wall-clock second while the leases are held: 1000 = one core. */
  cpuMsPerSecond: number;
  refreshesPerSecond: number;
  /** Refreshes that failed or leases lost in the window: must be 0. */
  refreshFailures: number;
  /** Releases that gave up afterwards (the machine too busy): each lease then expires by itself. */
  releaseFailures: number;
}

/**
 * Many leases held at once in one process, each on its own object. The server runs in a child
 * process (`gcs-lock emulator`) so that the CPU measured here is the lock's alone; 20 ms latency
 * still applies. Default ttl and refresh interval.
 */
export async function scale(
  counts: readonly number[],
  quick: boolean,
  log: (m: string) => void,
): Promise<ScaleResult[]> {
  const server = await startEmulator();
  try {
    await new ControlClient(server.url).addFault({ kind: 'latency', latencyMs: 20 });
    const results: ScaleResult[] = [];
    for (const n of counts) {
      log(`scale: ${n} leases`);
      // One whole refresh interval: in steady state every lease refreshes exactly once in it.
      results.push(await holdMany(server.url, n, quick ? 2_000 : REFRESH));
    }
    return results;
  } finally {
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
  }
}

async function holdMany(endpoint: string, n: number, windowMs: number): Promise<ScaleResult> {
  const store = new CountingStore(new GcsStore({ endpoint }));
  let failures = 0;
  const onEvent = (event: { type: string }): void => {
    if (event.type === 'refresh-failed' || event.type === 'lost') failures += 1;
  };
  globalThis.gc?.();
  const memBefore = process.memoryUsage();
  const t0 = performance.now();
  const leases: Lease[] = [];
  // At most 100 acquisitions in flight: what a pool of workers would do, and kind to the sockets.
  let next = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      while (next < n) {
        const i = next++;
        const lock = new Lock({
          bucket: 'bench',
          object: `scale/${n}/${i}`,
          store,
          ttl: TTL,
          refreshInterval: REFRESH,
          onEvent,
        });
        // Not a single attempt: on a busy 2-core machine the emulator can take longer than one request
        // timeout to answer 100 acquisitions at once; the acquire retries within its timeout.
        leases.push(await lock.acquire({ timeout: 120_000 }));
      }
    }),
  );
  const acquireSeconds = (performance.now() - t0) / 1000;
  globalThis.gc?.();
  const memHeld = process.memoryUsage();
  store.reset();
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  await sleep(windowMs);
  const cpu = process.cpuUsage(cpu0);
  const seconds = (performance.now() - w0) / 1000;
  const patches = store.count({ op: 'patch' });
  next = 0;
  let releaseFailures = 0;
  await Promise.all(
    Array.from({ length: 100 }, async () => {
      // A release that gives up (storage too slow for it, on a busy machine) leaves a lease that
      // expires by itself: counted, not fatal.
      while (next < leases.length) await leases[next++]!.release().catch(() => (releaseFailures += 1));
    }),
  );
  return {
    leases: n,
    ttl: TTL,
    refreshInterval: REFRESH,
    acquireSeconds,
    heapBytesPerLease: (memHeld.heapUsed - memBefore.heapUsed) / n,
    rssBytesPerLease: (memHeld.rss - memBefore.rss) / n,
    cpuMsPerSecond: (cpu.user + cpu.system) / 1000 / seconds,
    refreshesPerSecond: patches / seconds,
    refreshFailures: failures,
    releaseFailures,
  };
}

async function startEmulator(): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, 'emulator', '--port', '0', '--bucket', 'bench'],
    // Its "stopping" line on SIGTERM is expected, not news.
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('emulator did not start within 30 s')), 30_000);
    let text = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(text);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`emulator exited with ${code}`));
    });
  });
  return { url, child };
}
