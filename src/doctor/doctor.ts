import { randomUUID } from 'node:crypto';
import { checkWriteInterval, resolveLockOptions } from '../core/resolve-options.js';
import { StorageError } from '../errors/storage-error.js';
import { defaultStore } from '../store/default-store.js';
import type { BucketInfo, ObjectStore } from '../store/object-store.js';
import { parseBucketUrl } from '../util/lock-url.js';
import { clockCheck } from './clock.js';
import { costSummary } from './cost.js';
import { lockCycleCheck } from './lock-cycle.js';
import { checkPermissions } from './permissions.js';
import { median, probe } from './probe.js';
import { roundTripCheck } from './round-trip.js';
import { eventBasedHoldCheck } from './settings/event-based-hold.js';
import { lifecycleCheck } from './settings/lifecycle.js';
import { requesterPaysCheck } from './settings/requester-pays.js';
import { retentionCheck } from './settings/retention.js';
import { softDeleteCheck } from './settings/soft-delete.js';
import { storageClassCheck } from './settings/storage-class.js';
import { versioningCheck } from './settings/versioning.js';
import {
  verdict,
  type DoctorCheck,
  type DoctorContext,
  type DoctorOptions,
  type DoctorReport,
  type DoctorStatus,
} from './types.js';

const SETTINGS_CHECKS = [
  ['retention', 'retention policy'],
  ['event-based-hold', 'default event-based hold'],
  ['versioning', 'object versioning'],
  ['soft-delete', 'soft delete'],
  ['storage-class', 'storage class'],
  ['lifecycle', 'lifecycle rules'],
  ['requester-pays', 'requester pays'],
] as const;

/**
 * Examines a bucket (and prefix) for locks: whether the caller holds the permissions a lock needs,
 * whether the bucket's settings break locks or fill up with their litter, how far the service's clock
 * is from this machine's and how long a request takes there, and, unless `readOnly`, a real acquire →
 * refresh → release on a test lock `PREFIX/.gcs-lock-doctor-<random>` (deleted afterwards). Each check
 * is a verdict with its reason and fix; `cost` says what locks cost there at the given lease settings.
 * Never throws for what it finds; throws `ConfigurationError` for a bad URL or option.
 *
 * @example
 * ```ts
 * const report = await doctor('gs://my-locks/locks/', { ttl: 60_000 });
 * for (const check of report.checks) console.log(check.status.toUpperCase(), check.title, check.reason);
 * if (!report.ok) process.exitCode = 1;
 * ```
 */
export async function doctor(url: string, options: DoctorOptions = {}): Promise<DoctorReport> {
  const { bucket, prefix } = parseBucketUrl(url);
  const resolved = resolveLockOptions(options);
  const store = options.store ?? storeFor(options, resolved.requestTimeout);
  checkWriteInterval(resolved, store.writeInterval);
  const ctx: DoctorContext = {
    store,
    bucket,
    prefix,
    settings: {
      ttl: resolved.ttl,
      refreshInterval: resolved.refreshInterval,
      lossMargin: resolved.lossMargin,
      pollInitial: resolved.pollInitial,
      pollMax: resolved.pollMax,
      fair: resolved.fair,
    },
    signal: options.signal,
  };
  const checks: DoctorCheck[] = [];
  const permissions = await checkPermissions(ctx);
  const bucketInfo = await readBucket(ctx);
  if (bucketInfo === 'missing') {
    checks.push(missingBucket(bucket));
    return report(ctx, checks, 0);
  }
  checks.push(permissions);
  checks.push(...settingsChecks(ctx, bucketInfo));
  const name = `${prefix}${prefix === '' || prefix.endsWith('/') ? '' : '/'}.gcs-lock-doctor-${randomUUID().slice(0, 8)}`;
  const roundTrip = await clockChecks(ctx, name, checks);
  if (options.readOnly) {
    checks.push(verdict('lock-cycle', 'lock cycle', 'skip', 'read-only: no test lock was written'));
  } else {
    const held = (permissions.details?.['held'] as string[] | undefined) ?? [];
    checks.push(
      await lockCycleCheck(ctx, name, {
        canDelete: permissions.status === 'skip' || held.includes('storage.objects.delete'),
        versioned: 'info' in bucketInfo ? bucketInfo.info.versioning : undefined,
      }),
    );
  }
  return report(ctx, checks, roundTrip);
}

function storeFor(options: DoctorOptions, requestTimeout: number): ObjectStore {
  return defaultStore({ endpoint: options.endpoint, authClient: options.authClient, requestTimeout });
}

/** The bucket's settings, or why they could not be read; `missing` for a bucket that does not exist. */
type BucketReading = { info: BucketInfo } | { unreadable: string } | 'missing';

async function readBucket(ctx: DoctorContext): Promise<BucketReading> {
  if (!ctx.store.getBucket) return { unreadable: 'this store cannot read bucket settings (no getBucket)' };
  try {
    const { object } = await ctx.store.getBucket(ctx.bucket, { ...(ctx.signal && { signal: ctx.signal }) });
    return { info: object };
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    if (error.status === 404) return 'missing';
    if (error.status === 403) {
      return {
        unreadable:
          'reading the bucket settings needs storage.buckets.get, which a lock does not need; run the doctor ' +
          `as someone who has it, or look yourself: gcloud storage buckets describe gs://${ctx.bucket}`,
      };
    }
    return { unreadable: `could not read the bucket settings: ${error.message}` };
  }
}

function settingsChecks(ctx: DoctorContext, reading: Exclude<BucketReading, 'missing'>): DoctorCheck[] {
  if ('unreadable' in reading) {
    return SETTINGS_CHECKS.map(([id, title]) => verdict(id, title, 'skip', reading.unreadable));
  }
  const bucket = reading.info;
  return [
    retentionCheck(bucket),
    eventBasedHoldCheck(bucket),
    versioningCheck(bucket, ctx.prefix),
    softDeleteCheck(bucket),
    storageClassCheck(bucket),
    lifecycleCheck(bucket, ctx.prefix, ctx.settings.ttl),
    requesterPaysCheck(bucket),
  ];
}

/** The clock and round-trip checks, from five reads of the (absent) test object; the median round trip. */
async function clockChecks(ctx: DoctorContext, name: string, checks: DoctorCheck[]): Promise<number> {
  try {
    const samples = await probe(ctx, name);
    checks.push(clockCheck(samples), roundTripCheck(samples, ctx.settings));
    return median(samples.map((sample) => sample.roundTripMs));
  } catch (error) {
    if (!(error instanceof StorageError)) throw error;
    const reason = `could not read gs://${ctx.bucket}/${name}: ${error.message}`;
    checks.push(
      verdict('clock', 'server clock', 'skip', reason),
      verdict('round-trip', 'round trip', 'skip', reason),
    );
    return 0;
  }
}

function missingBucket(bucket: string): DoctorCheck {
  return verdict('bucket', 'bucket', 'fail', `gs://${bucket} does not exist (or the endpoint is wrong)`, {
    fix:
      `gcloud storage buckets create gs://${bucket} --location=REGION --default-storage-class=STANDARD ` +
      '--uniform-bucket-level-access --soft-delete-duration=0',
  });
}

function report(ctx: DoctorContext, checks: DoctorCheck[], roundTripMs: number): DoctorReport {
  const summary: Record<DoctorStatus, number> = { pass: 0, warn: 0, fail: 0, skip: 0 };
  for (const check of checks) summary[check.status] += 1;
  return {
    url: `gs://${ctx.bucket}/${ctx.prefix}`,
    bucket: ctx.bucket,
    prefix: ctx.prefix,
    ok: summary.fail === 0,
    summary,
    settings: ctx.settings,
    checks,
    cost: costSummary(ctx.settings, Math.round(roundTripMs)),
  };
}
