import type { BucketInfo, BucketLifecycleRule } from './object-store.js';

/** The bucket fields `getBucket` asks for: a few hundred bytes instead of the whole resource. */
export const BUCKET_FIELDS =
  'name,storageClass,location,versioning,softDeletePolicy,retentionPolicy,defaultEventBasedHold,' +
  'lifecycle,billing,iamConfiguration,metageneration';

type Json = Record<string, unknown>;

/**
 * Reads a GCS bucket resource into a `BucketInfo`, with GCS's defaults for what it leaves out (no
 * `versioning` means off; no `softDeletePolicy` means off too, as a bucket created before soft delete
 * reads). `undefined` when the name or metageneration is missing: not a bucket resource.
 *
 * @example
 * ```ts
 * parseBucket({ name: 'b', metageneration: '3', versioning: { enabled: true } })?.versioning; // true
 * ```
 */
export function parseBucket(value: unknown): BucketInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { name, metageneration } = value;
  if (typeof name !== 'string') return undefined;
  const generation = typeof metageneration === 'number' ? String(metageneration) : metageneration;
  if (typeof generation !== 'string' || !/^\d+$/.test(generation)) return undefined;
  const retention = seconds(child(value, 'retentionPolicy')['retentionPeriod']);
  const rules = child(value, 'lifecycle')['rule'];
  return {
    name,
    storageClass: typeof value.storageClass === 'string' ? value.storageClass : 'STANDARD',
    location: typeof value.location === 'string' ? value.location : '',
    versioning: child(value, 'versioning')['enabled'] === true,
    softDeleteRetentionSeconds: seconds(child(value, 'softDeletePolicy')['retentionDurationSeconds']) ?? 0,
    retentionPeriodSeconds: retention,
    defaultEventBasedHold: value.defaultEventBasedHold === true,
    lifecycleRules: Array.isArray(rules) ? rules.filter(isRule) : [],
    requesterPays: child(value, 'billing')['requesterPays'] === true,
    uniformBucketLevelAccess:
      child(child(value, 'iamConfiguration'), 'uniformBucketLevelAccess')['enabled'] === true,
    metageneration: generation,
  };
}

function child(value: Json, key: string): Json {
  const found = value[key];
  return isRecord(found) ? found : {};
}

/** int64 fields come as decimal strings from GCS, as numbers from some servers. */
function seconds(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isSafeInteger(number) && number >= 0 ? number : undefined;
}

function isRule(value: unknown): value is BucketLifecycleRule {
  return isRecord(value) && isRecord(value.action) && typeof value.action.type === 'string';
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
