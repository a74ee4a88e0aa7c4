import { invalid } from './engine-error.js';

/**
 * One lifecycle rule, stored and returned as sent (the server never executes lifecycle rules).
 *
 * @example
 * ```ts
 * const rule: LifecycleRule = { action: { type: 'Delete' }, condition: { age: 1 } };
 * ```
 */
export interface LifecycleRule {
  action: { type: string; storageClass?: string };
  condition: Record<string, unknown>;
}

/**
 * A bucket's settings, as far as this server models them. Every field has GCS's default for a new
 * bucket. `deniedPermissions` is this server's own: permissions its requests are refused (403), to
 * test code against a caller who lacks them.
 *
 * @example
 * ```ts
 * const engine = new StorageEngine({ buckets: [{ name: 'test', versioning: true, retentionPeriodSeconds: 60 }] });
 * ```
 */
export interface BucketSettings {
  /** @default 'STANDARD' */
  storageClass: string;
  /** @default 'US' */
  location: string;
  /** @default 'multi-region' */
  locationType: string;
  /** Object Versioning: a replaced or deleted live version is kept as a noncurrent one. @default false */
  versioning: boolean;
  /** Soft delete's retention in seconds; 0 turns it off. Stored and returned only. @default 604800 */
  softDeleteRetentionSeconds: number;
  /** Objects younger than this cannot be deleted or replaced (403). @default undefined (no policy) */
  retentionPeriodSeconds: number | undefined;
  /** New objects get `eventBasedHold: true`, and a held object cannot be deleted or replaced. @default false */
  defaultEventBasedHold: boolean;
  /** Stored and returned, never executed. @default [] */
  lifecycleRules: LifecycleRule[];
  /** @default false */
  requesterPays: boolean;
  /** @default false */
  uniformBucketLevelAccess: boolean;
  /** 'inherited' or 'enforced'. @default 'inherited' */
  publicAccessPrevention: string;
  /** @default {} */
  labels: Record<string, string>;
  /** Permissions refused on this bucket, e.g. `['storage.objects.delete']`. @default [] */
  deniedPermissions: string[];
}

export const DEFAULT_SOFT_DELETE_SECONDS = 7 * 24 * 3600;
const MAX_SOFT_DELETE_SECONDS = 90 * 24 * 3600;
/** GCS's longest retention period: 3,155,760,000 seconds (100 years). */
const MAX_RETENTION_SECONDS = 3_155_760_000;
const STORAGE_CLASSES = [
  'STANDARD',
  'NEARLINE',
  'COLDLINE',
  'ARCHIVE',
  'MULTI_REGIONAL',
  'REGIONAL',
  'DURABLE_REDUCED_AVAILABILITY',
];
const PERMISSION = /^[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+$/;

export function defaultSettings(): BucketSettings {
  return {
    storageClass: 'STANDARD',
    location: 'US',
    locationType: 'multi-region',
    versioning: false,
    softDeleteRetentionSeconds: DEFAULT_SOFT_DELETE_SECONDS,
    retentionPeriodSeconds: undefined,
    defaultEventBasedHold: false,
    lifecycleRules: [],
    requesterPays: false,
    uniformBucketLevelAccess: false,
    publicAccessPrevention: 'inherited',
    labels: {},
    deniedPermissions: [],
  };
}

/** `base` with `changes` applied, every value checked: bad input is a 400 naming the field. */
export function applySettings(base: BucketSettings, changes: Partial<BucketSettings>): BucketSettings {
  const next: BucketSettings = { ...base, labels: { ...base.labels } };
  for (const [key, value] of Object.entries(changes) as Array<[keyof BucketSettings, unknown]>) {
    if (value === undefined && key !== 'retentionPeriodSeconds') continue;
    (next as unknown as Record<string, unknown>)[key] = checked(key, value);
  }
  return next;
}

function checked(key: keyof BucketSettings, value: unknown): unknown {
  switch (key) {
    case 'storageClass': {
      const upper = typeof value === 'string' ? value.toUpperCase() : value;
      if (typeof upper !== 'string' || !STORAGE_CLASSES.includes(upper)) {
        throw invalid(`Invalid storageClass ${JSON.stringify(value)}: one of ${STORAGE_CLASSES.join(', ')}.`);
      }
      return upper;
    }
    case 'location':
    case 'locationType':
      if (typeof value !== 'string' || value === '') throw invalid(`Invalid ${key}: a non-empty string.`);
      return key === 'location' ? value.toUpperCase() : value;
    case 'softDeleteRetentionSeconds': {
      const seconds = wholeSeconds(key, value);
      if (seconds !== 0 && (seconds < DEFAULT_SOFT_DELETE_SECONDS || seconds > MAX_SOFT_DELETE_SECONDS)) {
        throw invalid(
          `Invalid softDeletePolicy.retentionDurationSeconds ${seconds}: 0 (off) or from ` +
            `${DEFAULT_SOFT_DELETE_SECONDS} (7 days) to ${MAX_SOFT_DELETE_SECONDS} (90 days).`,
        );
      }
      return seconds;
    }
    case 'retentionPeriodSeconds': {
      if (value === undefined) return undefined;
      const seconds = wholeSeconds(key, value);
      if (seconds < 1 || seconds > MAX_RETENTION_SECONDS) {
        throw invalid(
          `Invalid retentionPolicy.retentionPeriod ${seconds}: from 1 to ${MAX_RETENTION_SECONDS}.`,
        );
      }
      return seconds;
    }
    case 'versioning':
    case 'defaultEventBasedHold':
    case 'requesterPays':
    case 'uniformBucketLevelAccess':
      if (typeof value !== 'boolean') throw invalid(`Invalid ${key}: true or false.`);
      return value;
    case 'publicAccessPrevention': {
      const lower = typeof value === 'string' ? value.toLowerCase() : '';
      if (lower === 'unspecified' || lower === 'inherited') return 'inherited';
      if (lower === 'enforced') return 'enforced';
      throw invalid(`Invalid publicAccessPrevention ${JSON.stringify(value)}: 'inherited' or 'enforced'.`);
    }
    case 'labels':
      return checkLabels(value);
    case 'lifecycleRules':
      return checkRules(value);
    case 'deniedPermissions':
      if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || !PERMISSION.test(p))) {
        throw invalid(
          `Invalid deniedPermissions ${JSON.stringify(value)}: a list of permissions like 'storage.objects.delete'.`,
        );
      }
      return [...new Set(value as string[])];
  }
}

function wholeSeconds(key: string, value: unknown): number {
  const seconds = typeof value === 'string' && /^\d{1,12}$/.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isSafeInteger(seconds) || seconds < 0) {
    throw invalid(`Invalid ${key} ${JSON.stringify(value)}: a whole number of seconds.`);
  }
  return seconds;
}

function checkLabels(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('Invalid labels: an object of string values.');
  }
  const labels = new Map<string, string>();
  for (const [key, label] of Object.entries(value)) {
    if (typeof label !== 'string' || !/^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u.test(key)) {
      throw invalid(
        `Invalid label ${JSON.stringify(key)}: keys start with a lowercase letter, values are strings.`,
      );
    }
    labels.set(key, label);
  }
  return Object.fromEntries(labels);
}

function checkRules(value: unknown): LifecycleRule[] {
  if (!Array.isArray(value)) throw invalid('Invalid lifecycle.rule: a list of rules.');
  return value.map((rule: unknown, index) => {
    const { action, condition } = (rule ?? {}) as { action?: unknown; condition?: unknown };
    const type = (action as { type?: unknown } | undefined)?.type;
    if (typeof type !== 'string' || typeof condition !== 'object' || condition === null) {
      throw invalid(`Invalid lifecycle.rule[${index}]: needs action.type and a condition object.`);
    }
    return structuredClone({ action, condition }) as LifecycleRule;
  });
}
