import type { LeaseOptions } from '../core/options.js';
import type { AuthClient } from '../store/auth.js';
import type { ObjectStore } from '../store/object-store.js';
import type { CostSummary } from './cost.js';

/**
 * The verdict of one doctor check: `pass` (fine), `warn` (works, but costs or confuses),
 * `fail` (locks will break, or the bucket fills with litter), `skip` (not checked, and why).
 *
 * @example
 * ```ts
 * const failed = report.checks.filter((check) => check.status === 'fail');
 * ```
 */
export type DoctorStatus = 'pass' | 'warn' | 'fail' | 'skip';

/**
 * One line of the doctor's report: what was checked, the verdict, why, and what to do about it.
 *
 * @example
 * ```ts
 * const check: DoctorCheck = {
 *   id: 'soft-delete',
 *   title: 'soft delete',
 *   status: 'warn',
 *   reason: 'every overwritten grant is kept for 7 days and billed',
 *   fix: 'gcloud storage buckets update gs://my-locks --clear-soft-delete',
 * };
 * ```
 */
export interface DoctorCheck {
  /**
   * Stable identifier: `bucket`, `permissions`, `lock-cycle`, `retention`, `event-based-hold`,
   * `versioning`, `soft-delete`, `storage-class`, `lifecycle`, `requester-pays`, `clock`, `round-trip`.
   */
  id: string;
  /** A few words for people, e.g. `retention policy`. */
  title: string;
  status: DoctorStatus;
  /** One or two sentences: what was found and what it means for a lock. */
  reason: string;
  /** What to do, with a `gcloud` command where one exists; absent when there is nothing to do. */
  fix?: string;
  /** The facts behind the verdict (numbers in ms, counts), for machines. */
  details?: Record<string, unknown>;
}

/**
 * The whole report: every check, the lock settings it was judged against, and what locks cost there.
 * `ok` is true when no check failed. This is also the `gcs-lock doctor --json` output.
 *
 * @example
 * ```ts
 * const report = await doctor('gs://my-locks/locks/', { readOnly: true });
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export interface DoctorReport {
  /** `gs://bucket/prefix` as examined. */
  url: string;
  bucket: string;
  prefix: string;
  ok: boolean;
  /** Counts of each verdict. */
  summary: Record<DoctorStatus, number>;
  /** The lease settings the checks and the cost are judged against, in ms. */
  settings: DoctorSettings;
  checks: DoctorCheck[];
  cost: CostSummary;
}

/**
 * The lease settings a doctor report is judged against (after defaults), in ms.
 *
 * @example
 * ```ts
 * const { ttl, refreshInterval } = report.settings;
 * ```
 */
export interface DoctorSettings {
  ttl: number;
  refreshInterval: number;
  lossMargin: number;
  pollInitial: number;
  pollMax: number;
  fair: boolean;
}

/**
 * Where and how to examine: the store (as for `Lock`), the lease settings your locks use (the
 * verdicts and costs depend on them), and whether the doctor may write a test lock.
 *
 * @example
 * ```ts
 * const report = await doctor('gs://my-locks', { ttl: 120_000, readOnly: true, endpoint: 'http://127.0.0.1:4443' });
 * ```
 */
export interface DoctorOptions extends Pick<
  LeaseOptions,
  'ttl' | 'refreshInterval' | 'lossMargin' | 'poll' | 'fair' | 'requestTimeout'
> {
  /** The storage to examine. @default a `GcsStore` from `endpoint` / `authClient` / the environment */
  store?: ObjectStore;
  /** The GCS JSON API's base URL. @default process.env.STORAGE_EMULATOR_HOST, else Google */
  endpoint?: string;
  /** Credentials. @default Application Default Credentials */
  authClient?: AuthClient;
  /**
   * Write nothing: skip the real acquire → refresh → release on a test lock.
   * @default false
   */
  readOnly?: boolean;
  /** Abandons the examination. */
  signal?: AbortSignal;
}

/** What every check is given. */
export interface DoctorContext {
  store: ObjectStore;
  bucket: string;
  prefix: string;
  settings: DoctorSettings;
  signal: AbortSignal | undefined;
}

/** A check's verdict, built tersely. */
export function verdict(
  id: string,
  title: string,
  status: DoctorStatus,
  reason: string,
  extra: { fix?: string | undefined; details?: Record<string, unknown> | undefined } = {},
): DoctorCheck {
  return {
    id,
    title,
    status,
    reason,
    ...(extra.fix !== undefined && { fix: extra.fix }),
    ...(extra.details !== undefined && { details: extra.details }),
  };
}
