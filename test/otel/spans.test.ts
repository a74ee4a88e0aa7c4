/**
 * `gcs-lock/otel` spans, read back from the SDK's in-memory span exporter: acquire and release spans
 * with the lock URL and fencing token (never the owner token), what happened while waiting as span
 * events, loss spans, and nesting under the caller's span.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Lock } from '../../src/lock/lock.js';
import type { LockTelemetry } from '../../src/otel/index.js';
import type { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import { FAST, setUp, type Harness } from './harness.js';

const BUCKET = 'spans';
let otel: Harness;
let telemetry: LockTelemetry;
let engine: StorageEngine;
let store: MemoryStore;
let sequence = 0;
const fast = FAST;

beforeEach(() => ({ otel, telemetry, engine, store } = setUp(BUCKET)));
afterEach(() => otel.close());

const url = (): string => `gs://${BUCKET}/spans/lock-${++sequence}`;
const named = (name: string) => otel.spans().filter((span) => span.name === name);
const ms = ([seconds, nanos]: [number, number]): number => seconds * 1000 + nanos / 1e6;

describe('gcs-lock/otel spans', () => {
  it('spans acquire from the call to the grant, and release from its request to its end', async () => {
    const lock = new Lock(url(), telemetry.instrument({ store, ...fast }));
    const before = Date.now();
    const lease = await lock.acquire();
    store.faults.add({ kind: 'latency', latencyMs: 50, ops: ['patch'] });
    await lease.release();
    const [acquire] = named('gcs-lock acquire');
    const [release] = named('gcs-lock release');
    expect(acquire?.attributes).toMatchObject({
      'gcs_lock.lock': lock.url,
      'gcs_lock.token': lease.token,
      'gcs_lock.took_over': false,
    });
    expect(ms(acquire!.startTime)).toBeGreaterThanOrEqual(before - 1);
    expect(ms(acquire!.endTime)).toBeGreaterThanOrEqual(ms(acquire!.startTime));
    expect(release?.attributes).toMatchObject({ 'gcs_lock.lock': lock.url, 'gcs_lock.handed_off': false });
    // The release span starts at the release request, which the wrapped store saw: it covers the
    // request's injected 50 ms, and starts after the grant.
    expect(ms(release!.startTime)).toBeGreaterThanOrEqual(ms(acquire!.endTime));
    expect(ms(release!.endTime) - ms(release!.startTime)).toBeGreaterThanOrEqual(49);
  });

  it('notes contention and the queue position on the acquire span of a waiter', async () => {
    const name = url();
    const holder = await new Lock(name, { store: new MemoryStore({ engine }), ...fast }).acquire();
    const waiting = new Lock(name, telemetry.instrument({ store, ...fast })).acquire();
    await until(() => engine.getBucket(BUCKET).objects.size > 1); // the waiter's ticket
    await holder.release();
    await (await waiting).release();
    const [acquire] = named('gcs-lock acquire');
    expect(acquire?.events.map((event) => event.name)).toEqual(['contended', 'queued']);
    expect(acquire?.events[0]?.attributes).toMatchObject({ 'gcs_lock.holder.token': holder.token });
    expect(acquire?.events[1]?.attributes).toMatchObject({ 'gcs_lock.queue.position': 1 });
  });

  it('never carries an owner token, in any attribute or event', async () => {
    const lock = new Lock(url(), telemetry.instrument({ store, ...fast }));
    const lease = await lock.acquire();
    const owner = engine.getBucket(BUCKET).objects.get(lock.object)!.metadata['gcs-lock-owner']!;
    expect(owner).toMatch(/[0-9a-f-]{36}/);
    await lease.release();
    const everything = JSON.stringify(otel.spans().map((span) => [span.attributes, span.events]));
    expect(everything).toContain(lease.token);
    expect(everything).not.toContain(owner);
  });

  it('records a loss as an error span with its reason', async () => {
    const lock = new Lock(url(), telemetry.instrument({ store, ...fast, refreshInterval: 100 }));
    const lease = await lock.acquire();
    const object = engine.getBucket(BUCKET).objects.get(lock.object)!;
    engine.insertObject(BUCKET, lock.object, {
      data: Buffer.alloc(0),
      metadata: { ...object.metadata, 'gcs-lock-owner': 'someone-else' },
    });
    await until(() => lease.lost);
    const [lost] = named('gcs-lock lost');
    expect(lost?.status.code).toBe(2); // SpanStatusCode.ERROR
    expect(lost?.attributes).toMatchObject({
      'gcs_lock.loss.reason': 'taken',
      'gcs_lock.token': lease.token,
    });
    await lease.release();
  });

  it("nests under the caller's active span", async () => {
    const manager = new AsyncLocalStorageContextManager().enable();
    context.setGlobalContextManager(manager);
    try {
      const tracer = otel.tracerProvider.getTracer('test');
      const lock = new Lock(url(), telemetry.instrument({ store, ...fast }));
      await tracer.startActiveSpan('deploy', async (parent) => {
        await lock.run(async () => {});
        parent.end();
      });
      const [parent] = named('deploy');
      const parentId = parent!.spanContext().spanId;
      for (const name of ['gcs-lock acquire', 'gcs-lock release']) {
        const [span] = named(name);
        expect(span?.parentSpanContext?.spanId, name).toBe(parentId);
        expect(span?.spanContext().traceId).toBe(parent!.spanContext().traceId);
      }
    } finally {
      context.disable();
      trace.disable();
    }
  });
});

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
