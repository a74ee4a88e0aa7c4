import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUCKET, newLock, newStore, types, useFakeClock } from '../helpers/memory-lock.js';

beforeEach(useFakeClock);
afterEach(() => vi.useRealTimers());

describe('heartbeat', () => {
  it('declares loss at the deadline even when a refresh never answers and ignores its abort', async () => {
    const store = newStore();
    const { lock, events } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    const hang = vi.spyOn(store, 'patchMetadata').mockImplementation(() => new Promise(() => {}));
    await vi.advanceTimersByTimeAsync(7_999);
    expect(lease.lost).toBe(false);
    expect(hang).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(lease.lost).toBe(true);
    expect(types(events)).toEqual(['acquired', 'lost']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('starts no second refresh while one is in flight', async () => {
    const store = newStore();
    const { lock } = newLock(store, { ttl: 60_000, refreshInterval: 1_000, requestTimeout: 30_000 });
    const lease = await lock.acquire();
    store.faults.add({ kind: 'latency', ops: ['patch'], latencyMs: 20_000, count: 1 });
    await vi.advanceTimersByTimeAsync(15_000);
    expect(store.requests.patch).toBe(1);
    await vi.advanceTimersByTimeAsync(7_000);
    expect(store.requests.patch).toBeGreaterThan(1);
    expect(lease.lost).toBe(false);
    await lease.release();
  });

  it('refreshes on the holder clock, whatever the server clock says', async () => {
    const store = newStore();
    store.engine.clockOffsetMs = -3_600_000;
    const { lock } = newLock(store, { ttl: 10_000 });
    const lease = await lock.acquire();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(store.requests.patch).toBe(12);
    expect(lease.lost).toBe(false);
    expect(store.engine.listObjects(BUCKET).items).toHaveLength(1);
    await lease.release();
  });
});

describe('heartbeat, in a real process', () => {
  it('keeps a process alive that only waits on its lease, as a leader does', async () => {
    vi.useRealTimers();
    const { spawn } = await import('node:child_process');
    const script = [
      "import { Lock } from './src/index.js';",
      "import { MemoryStore } from './src/testing/index.js';",
      "const lease = await new Lock('gs://locks/leader', { store: new MemoryStore({ buckets: ['locks'] }) }).acquire();",
      "console.log('leading');",
      'await new Promise((resolve) => lease.signal.addEventListener("abort", resolve));',
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url).pathname,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    // With an unref'd heartbeat, Node would exit here (code 13: unsettled top-level await).
    const early = await Promise.race([
      exited,
      new Promise<'alive'>((resolve) => setTimeout(() => resolve('alive'), 1_500)),
    ]);
    child.kill('SIGKILL');
    await exited;
    expect(early).toBe('alive');
  });
});
