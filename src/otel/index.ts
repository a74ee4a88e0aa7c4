/**
 * `gcs-lock/otel`: OpenTelemetry metrics and traces for gcs-lock, from the lock's events. A separate
 * entry point with an optional peer dependency on `@opentelemetry/api`: `gcs-lock` itself never
 * loads it. See docs/observability.md.
 */
export { lockTelemetry, SCOPE, type LockTelemetry, type LockTelemetryOptions } from './telemetry.js';
export { METRIC_NAMES } from './instruments.js';
