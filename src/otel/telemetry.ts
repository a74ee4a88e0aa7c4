import { metrics, trace, type Attributes, type MeterProvider, type TracerProvider } from '@opentelemetry/api';
import type { LockEvent } from '../core/events.js';
import type { LockOptions } from '../lock/options.js';
import { defaultStore } from '../store/default-store.js';
import type { ObjectStore } from '../store/object-store.js';
import { createInstruments } from './instruments.js';
import { LockSpans } from './spans.js';
import { timedStore } from './timed-store.js';

/**
 * The instrumentation scope's name: what `gcs-lock/otel` meters and tracers are called (for views
 * and filters in your SDK set-up).
 *
 * @example
 * ```ts
 * import { SCOPE } from 'gcs-lock/otel';
 * const view = { meterName: SCOPE, instrumentName: 'gcs_lock.wait.duration' };
 * ```
 */
export const SCOPE = 'gcs-lock';
/** How many locks' in-flight state (hold start, last release) is kept at most. */
const MAX_TRACKED = 10_000;

/**
 * Where `lockTelemetry` records, and what it attaches to every measurement.
 *
 * @example
 * ```ts
 * const telemetry = lockTelemetry({ attributes: { 'service.component': 'deployer' }, lockAttribute: false });
 * ```
 */
export interface LockTelemetryOptions {
  /** @default the global MeterProvider (`metrics.getMeterProvider()`): a no-op until an SDK registers one */
  meterProvider?: MeterProvider;
  /** @default the global TracerProvider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** Added to every metric point and span. @default {} */
  attributes?: Attributes;
  /**
   * Label metrics with the lock's URL (`gcs_lock.lock`): one time series per lock name. Turn it off
   * when a process uses many lock names (sharded locks). Spans always carry the URL.
   * @default true
   */
  lockAttribute?: boolean;
}

/**
 * Metrics and traces for locks: histograms of wait, hold, refresh latency and hand-off; counters of
 * contention, takeovers, losses (by reason), retries (by status) and failed releases; an up-down
 * counter of leases held; spans for acquire and release (and a span for each loss). Built from the
 * lock's events, so it adds no request and no dependency to a lock that does not use it.
 *
 * @example
 * ```ts
 * const telemetry = lockTelemetry();
 * const lock = new Lock('gs://my-locks/nightly', telemetry.instrument({ ttl: 60_000 }));
 * ```
 */
export interface LockTelemetry {
  /**
   * The event listener: give it as `LockOptions.onEvent`, or call it from your own. Never throws.
   * Alone it records everything but the refresh latency and the start of a release span, which only
   * the store knows: `instrument` or `wrapStore` add those.
   */
  readonly onEvent: (event: LockEvent) => void;
  /**
   * `options` with this telemetry's `onEvent` (yours, if any, is still called after it) and a store
   * that times refreshes (yours, or the default store `Lock` would use, wrapped).
   */
  instrument<T extends LockOptions>(options?: T): T & Required<Pick<LockOptions, 'store' | 'onEvent'>>;
  /** A store that times refresh requests for this telemetry; the same wrapper for the same store. */
  wrapStore(store: ObjectStore): ObjectStore;
}

/**
 * Creates the OpenTelemetry instrumentation for gcs-lock. Import it from `gcs-lock/otel`, which needs
 * `@opentelemetry/api` (an optional peer dependency); `gcs-lock` itself never loads it.
 *
 * @example
 * ```ts
 * import { Lock } from 'gcs-lock';
 * import { lockTelemetry } from 'gcs-lock/otel';
 *
 * const telemetry = lockTelemetry(); // the global MeterProvider and TracerProvider
 * await new Lock('gs://my-locks/nightly', telemetry.instrument()).run(async () => {});
 * ```
 */
export function lockTelemetry(options: LockTelemetryOptions = {}): LockTelemetry {
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE);
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const instruments = createInstruments(meter);
  const base = options.attributes ?? {};
  const labelled = (url: string, extra: Attributes = {}): Attributes =>
    options.lockAttribute === false ? { ...base, ...extra } : { ...base, 'gcs_lock.lock': url, ...extra };
  const spans = new LockSpans(tracer, base);
  // Per lease (url + token): when it was granted. Per lock: when this process last released it.
  const heldSince = new BoundedMap<string, number>();
  const releasedAt = new BoundedMap<string, number>();
  const wrapped = new WeakMap<ObjectStore, ObjectStore>();

  const ended = (url: string, token: string, outcome: string): void => {
    const since = heldSince.take(`${url} ${token}`);
    if (since === undefined) return;
    instruments.held.add(-1, labelled(url));
    instruments.hold.record((Date.now() - since) / 1000, labelled(url, { 'gcs_lock.outcome': outcome }));
  };

  const record = (event: LockEvent): void => {
    const { url } = event;
    switch (event.type) {
      case 'acquired': {
        const now = Date.now();
        heldSince.set(`${url} ${event.token}`, now);
        instruments.held.add(1, labelled(url));
        const attributes = { 'gcs_lock.took_over': event.tookOver, 'gcs_lock.handed_over': event.handedOver };
        instruments.wait.record(event.waitedMs / 1000, labelled(url, attributes));
        // The lock sat free from this process's last release until now, if this waiter waited through it.
        const freed = releasedAt.take(url);
        if (event.handedOver) instruments.handoff.record(0, labelled(url, attributes));
        else if (freed !== undefined && now - freed <= event.waitedMs) {
          instruments.handoff.record((now - freed) / 1000, labelled(url, attributes));
        }
        spans.acquired(event, now);
        return;
      }
      case 'contended':
        instruments.contentions.add(1, labelled(url));
        spans.note(event);
        return;
      case 'queued':
        spans.note(event);
        return;
      case 'took-over':
        instruments.takeovers.add(1, labelled(url));
        return;
      case 'refreshed':
        return;
      case 'refresh-failed':
      case 'retrying': {
        const operation = event.type === 'retrying' ? event.operation.split(' ')[0]! : 'refresh';
        const status = event.error.status === undefined ? 'transport' : String(event.error.status);
        instruments.retries.add(
          1,
          labelled(url, { 'gcs_lock.operation': operation, 'gcs_lock.status': status }),
        );
        if (event.type === 'retrying') spans.note(event);
        return;
      }
      case 'lost':
        instruments.losses.add(1, labelled(url, { 'gcs_lock.loss.reason': event.error.reason }));
        ended(url, event.token, 'lost');
        spans.lost(event);
        return;
      case 'released':
        // A lease already counted as lost ends once only; a handed-off lock never sat free.
        ended(url, event.token, event.handedOff ? 'handed-off' : 'released');
        if (!event.handedOff && !event.alreadyLost) releasedAt.set(url, Date.now());
        spans.released(event);
        return;
      case 'release-failed':
        instruments.releaseFailures.add(1, labelled(url));
        ended(url, event.token, 'release-failed');
        spans.released(event);
        return;
    }
  };

  const timings = {
    refreshed(url: string, seconds: number, status: number | 'ok' | 'transport'): void {
      instruments.refresh.record(seconds, labelled(url, { 'gcs_lock.status': String(status) }));
    },
    releasing(url: string, startedAt: number): void {
      spans.releasing(url, startedAt);
    },
  };

  const telemetry: LockTelemetry = {
    onEvent(event) {
      try {
        record(event);
      } catch {
        // Telemetry must never disturb the lock: a broken exporter or SDK loses a measurement, no more.
      }
    },
    wrapStore(store) {
      let timed = wrapped.get(store);
      if (!timed) {
        timed = timedStore(store, timings);
        wrapped.set(store, timed);
      }
      return timed;
    },
    instrument<T extends LockOptions>(lockOptions?: T) {
      const given = (lockOptions ?? {}) as T;
      const store =
        given.store ??
        defaultStore({
          endpoint: given.endpoint,
          authClient: given.authClient,
          requestTimeout: given.requestTimeout,
        });
      const theirs = given.onEvent;
      const onEvent = theirs
        ? (event: LockEvent): void => {
            telemetry.onEvent(event);
            theirs(event);
          }
        : telemetry.onEvent;
      return { ...given, store: telemetry.wrapStore(store), onEvent };
    },
  };
  return telemetry;
}

/** A Map that forgets its oldest entries beyond MAX_TRACKED (leases never ended, locks never re-taken). */
class BoundedMap<K, V> {
  readonly #map = new Map<K, V>();
  set(key: K, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > MAX_TRACKED) this.#map.delete(this.#map.keys().next().value as K);
  }
  take(key: K): V | undefined {
    const value = this.#map.get(key);
    this.#map.delete(key);
    return value;
  }
}
