import type { Attributes } from '@opentelemetry/api';
import { lockTelemetry, type LockTelemetry } from '../../src/otel/index.js';
import { StorageEngine } from '../../src/server/engine/engine.js';
import { MemoryStore } from '../../src/testing/memory-store.js';
import {
  AggregationTemporality,
  DataPointType,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
  type Histogram,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';

/** The OpenTelemetry SDK with in-memory exporters: what the telemetry recorded, read back. */
export interface Harness {
  meterProvider: MeterProvider;
  tracerProvider: BasicTracerProvider;
  /** Every data point of the metric `name`, after a flush. */
  points(name: string): Promise<Array<DataPoint<number | Histogram>>>;
  /** The sum of a counter's points whose attributes include `match`. */
  count(name: string, match?: Attributes): Promise<number>;
  /** The histogram points of `name` whose attributes include `match`. */
  histograms(name: string, match?: Attributes): Promise<Array<DataPoint<Histogram>>>;
  spans(): ReadableSpan[];
  close(): Promise<void>;
}

export function harness(): Harness {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when flushed: the test decides when to read.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spanExporter)] });
  const matches = (attributes: Attributes, match: Attributes): boolean =>
    Object.entries(match).every(([key, value]) => attributes[key] === value);
  const points = async (name: string): Promise<Array<DataPoint<number | Histogram>>> => {
    metricExporter.reset();
    await reader.forceFlush();
    const exported = metricExporter.getMetrics().at(-1);
    const metric = exported?.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .find((candidate) => candidate.descriptor.name === name);
    return (metric?.dataPoints ?? []) as Array<DataPoint<number | Histogram>>;
  };
  return {
    meterProvider,
    tracerProvider,
    points,
    async count(name, match = {}) {
      const found = (await points(name)).filter((point) => matches(point.attributes, match));
      return found.reduce((sum, point) => sum + (point.value as number), 0);
    },
    async histograms(name, match = {}) {
      const found = await points(name);
      return found.filter((point) => matches(point.attributes, match)) as Array<DataPoint<Histogram>>;
    },
    spans: () => spanExporter.getFinishedSpans(),
    async close() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}

export { DataPointType };

/** What every OpenTelemetry test starts from: the SDK harness, a telemetry on it, a store on an engine. */
export function setUp(bucket: string): {
  otel: Harness;
  telemetry: LockTelemetry;
  engine: StorageEngine;
  store: MemoryStore;
} {
  const otel = harness();
  const telemetry = lockTelemetry({ meterProvider: otel.meterProvider, tracerProvider: otel.tracerProvider });
  const engine = new StorageEngine({ buckets: [bucket] });
  return { otel, telemetry, engine, store: new MemoryStore({ engine }) };
}

/** Lock options that poll fast, for tests that wait. */
export const FAST = { ttl: 2_000, poll: { initial: 20, max: 50 } } as const;
