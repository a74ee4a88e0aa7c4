/**
 * `gcs-lock/otel` with the OpenTelemetry SDK and its in-memory exporters: real locks on a MemoryStore
 * (faults injected where a case needs them), and what the metrics and spans say afterwards.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LockEvent } from '../../src/core/events.js';
import { Lock } from '../../src/lock/lock.js';
import { lockTelemetry, METRIC_NAMES, type LockTelemetry } from '../../src/otel/index.js';
import type { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { FAST, setUp, type Harness } from './harness.js';

const BUCKET = 'otel';
let otel: Harness;
let telemetry: LockTelemetry;
let engine: StorageEngine;
let store: MemoryStore;
let sequence = 0;

beforeEach(() => ({ otel, telemetry, engine, store } = setUp(BUCKET)));
afterEach(() => otel.close());

function url(): string {
  return `gs://${BUCKET}/otel/lock-${++sequence}`;
}

const fast = FAST;

describe('gcs-lock/otel metrics', () => {
  it('records a wait, a hold and the lease count for one acquire and release', async () => {
    const lock = new Lock(url(), telemetry.instrument({ store, ...fast }));
    const lease = await lock.acquire();
    expect(await otel.count(METRIC_NAMES.held, { 'gcs_lock.lock': lock.url })).toBe(1);
    await lease.release();
    const [wait] = await otel.histograms(METRIC_NAMES.wait, { 'gcs_lock.lock': lock.url });
    expect(wait?.value.count).toBe(1);
    expect(wait?.attributes).toMatchObject({ 'gcs_lock.took_over': false, 'gcs_lock.handed_over': false });
    const [hold] = await otel.histograms(METRIC_NAMES.hold, { 'gcs_lock.outcome': 'released' });
    expect(hold?.value.count).toBe(1);
    expect(await otel.count(METRIC_NAMES.held, { 'gcs_lock.lock': lock.url })).toBe(0);
  });

  it('counts contention, and measures the hand-off to a waiter in this process', async () => {
    const name = url();
    // Two stores over one engine: two "processes" as far as the locks know, one telemetry.
    const first = new Lock(name, telemetry.instrument({ store, ...fast, fair: false }));
    const second = new Lock(
      name,
      telemetry.instrument({ store: new MemoryStore({ engine }), ...fast, fair: false }),
    );
    const lease = await first.acquire();
    const waiting = second.acquire();
    await until(async () => (await otel.count(METRIC_NAMES.contentions)) === 1);
    await lease.release();
    await (await waiting).release();
    expect(await otel.count(METRIC_NAMES.contentions, { 'gcs_lock.lock': name })).toBe(1);
    const handoffs = await otel.histograms(METRIC_NAMES.handoff, { 'gcs_lock.lock': name });
    expect(handoffs.map((point) => point.value.count)).toEqual([1]);
    expect(handoffs[0]!.value.sum).toBeGreaterThanOrEqual(0);
  });

  it('records a direct in-process hand-off as 0 s', async () => {
    const name = url();
    const lock = new Lock(name, telemetry.instrument({ store, ...fast, fair: false }));
    const lease = await lock.acquire();
    const next = lock.acquire();
    await until(async () => (await otel.count(METRIC_NAMES.held)) === 1);
    await lease.release();
    await (await next).release();
    const [handoff] = await otel.histograms(METRIC_NAMES.handoff, { 'gcs_lock.handed_over': true });
    expect(handoff?.value).toMatchObject({ count: 1, sum: 0 });
    const outcomes = (await otel.histograms(METRIC_NAMES.hold)).map(
      (point) => point.attributes['gcs_lock.outcome'],
    );
    expect(outcomes.sort()).toEqual(['handed-off', 'released']);
  });

  it('counts a takeover of an expired lease', async () => {
    const name = url();
    const crashed = new Lock(name, { store: new MemoryStore({ engine }), ttl: 1_000 });
    await crashed.acquire();
    engine.clockOffsetMs = 5_000; // the crashed holder's lease is long expired on the server's clock
    try {
      const lease = await new Lock(name, telemetry.instrument({ store, ...fast })).acquire();
      expect(await otel.count(METRIC_NAMES.takeovers, { 'gcs_lock.lock': name })).toBe(1);
      const [wait] = await otel.histograms(METRIC_NAMES.wait, { 'gcs_lock.took_over': true });
      expect(wait?.value.count).toBe(1);
      await lease.release();
    } finally {
      engine.clockOffsetMs = 0;
    }
  });

  it('counts a loss by reason, ends the hold as lost, and leaves no lease counted', async () => {
    const name = url();
    const lease = await new Lock(
      name,
      telemetry.instrument({ store, ...fast, refreshInterval: 100 }),
    ).acquire();
    // Someone else's grant replaces the lock object: the next refresh finds it taken.
    const object = engine.getBucket(BUCKET).objects.get(name.replace(`gs://${BUCKET}/`, ''))!;
    engine.insertObject(BUCKET, object.name, {
      data: Buffer.alloc(0),
      metadata: { ...object.metadata, 'gcs-lock-owner': 'someone-else' },
    });
    await until(() => lease.lost);
    expect(await otel.count(METRIC_NAMES.losses, { 'gcs_lock.loss.reason': 'taken' })).toBe(1);
    expect((await otel.histograms(METRIC_NAMES.hold, { 'gcs_lock.outcome': 'lost' }))[0]?.value.count).toBe(
      1,
    );
    await lease.release();
    expect((await otel.histograms(METRIC_NAMES.hold)).map((p) => p.value.count)).toEqual([1]);
    expect(await otel.count(METRIC_NAMES.held)).toBe(0);
  });

  it('counts retries by operation and status', async () => {
    const lock = new Lock(url(), telemetry.instrument({ store, ...fast }));
    store.faults.add({ kind: 'error', status: 503, ops: ['get'], count: 2 });
    await lock.run(async () => {});
    expect(
      await otel.count(METRIC_NAMES.retries, { 'gcs_lock.operation': 'GET', 'gcs_lock.status': '503' }),
    ).toBe(2);
  });

  it('times refreshes through the wrapped store, and counts failed releases', async () => {
    const lock = new Lock(url(), telemetry.instrument({ store, ttl: 1_000, refreshInterval: 100 }));
    const lease = await lock.acquire();
    await until(
      async () => (await otel.histograms(METRIC_NAMES.refresh, { 'gcs_lock.status': 'ok' })).length > 0,
    );
    store.faults.add({ kind: 'error', status: 503, ops: ['patch'] });
    await expect(lease.release()).rejects.toThrow(/left to expire/);
    expect(await otel.count(METRIC_NAMES.releaseFailures, { 'gcs_lock.lock': lock.url })).toBe(1);
    expect((await otel.histograms(METRIC_NAMES.hold, { 'gcs_lock.outcome': 'release-failed' })).length).toBe(
      1,
    );
  });

  it('leaves the lock URL out of metrics with lockAttribute: false, and adds the given attributes', async () => {
    const plain = lockTelemetry({
      meterProvider: otel.meterProvider,
      attributes: { 'service.component': 'deployer' },
      lockAttribute: false,
    });
    await new Lock(url(), plain.instrument({ store, ...fast })).run(async () => {});
    const [wait] = await otel.histograms(METRIC_NAMES.wait);
    expect(wait?.attributes).toEqual({
      'service.component': 'deployer',
      'gcs_lock.took_over': false,
      'gcs_lock.handed_over': false,
    });
  });

  it('calls your own onEvent too, and never lets a broken SDK disturb the lock', async () => {
    const seen: string[] = [];
    const broken = lockTelemetry({
      meterProvider: {
        getMeter: () => {
          const fail = (): never => {
            throw new Error('exporter down');
          };
          return {
            createHistogram: () => ({ record: fail }),
            createCounter: () => ({ add: fail }),
            createUpDownCounter: () => ({ add: fail }),
          } as never;
        },
      },
    });
    const options = broken.instrument({
      store,
      ...fast,
      onEvent: (event: LockEvent) => seen.push(event.type),
    });
    await new Lock(url(), options).run(async () => {});
    expect(seen).toEqual(['acquired', 'released']);
    expect(() => broken.onEvent({ type: 'refreshed', url: 'gs://a/b', token: '1' })).not.toThrow();
  });

  it('wraps each store once, so instrumented locks of one store still coordinate in process', () => {
    expect(telemetry.wrapStore(store)).toBe(telemetry.wrapStore(store));
    expect(telemetry.instrument({ store }).store).toBe(telemetry.wrapStore(store));
  });
});

async function until(condition: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 10));
}
