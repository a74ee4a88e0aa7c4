import type { BucketSettings } from '../engine/engine.js';
import { HttpError } from './errors.js';

type Json = Record<string, unknown>;

/** GCS's dual-region location codes; other multi-letter codes without a dash are multi-regions. */
const DUAL_REGIONS = ['NAM4', 'EUR4', 'EUR5', 'EUR7', 'EUR8', 'ASIA1'];

/** The `locationType` GCS derives from a location: `US` → multi-region, `NAM4` → dual-region, `US-EAST1` → region. */
export function locationTypeOf(location: string): string {
  const upper = location.toUpperCase();
  if (DUAL_REGIONS.includes(upper)) return 'dual-region';
  return upper.includes('-') ? 'region' : 'multi-region';
}

/**
 * The settings a bucket resource in a request body asks for (`buckets.insert`, `patch`, `update`).
 * A field sent as `null` goes back to its default (soft delete: off, as `--clear-soft-delete` means).
 * Output-only fields (`id`, `etag`, `metageneration`, `timeCreated`...) and features this server does
 * not model (ACLs, CORS, website, logging, encryption) are ignored, so a client may send back the
 * resource it read. Values are checked by the engine (400 naming the field).
 */
export function settingsFromJson(json: Json, labelsNow?: Record<string, string>): Partial<BucketSettings> {
  const settings: Partial<BucketSettings> = {};
  if ('storageClass' in json) settings.storageClass = (json.storageClass ?? 'STANDARD') as string;
  if ('versioning' in json) settings.versioning = flag(json.versioning, 'enabled');
  if ('defaultEventBasedHold' in json)
    settings.defaultEventBasedHold = (json.defaultEventBasedHold ?? false) as boolean;
  if ('billing' in json) settings.requesterPays = flag(json.billing, 'requesterPays');
  if ('softDeletePolicy' in json) {
    settings.softDeleteRetentionSeconds = (field(json.softDeletePolicy, 'retentionDurationSeconds') ??
      0) as number;
  }
  if ('retentionPolicy' in json) {
    const period = field(json.retentionPolicy, 'retentionPeriod');
    settings.retentionPeriodSeconds =
      period === undefined || period === null ? undefined : (period as number);
  }
  if ('lifecycle' in json)
    settings.lifecycleRules = (field(json.lifecycle, 'rule') ?? []) as BucketSettings['lifecycleRules'];
  if ('iamConfiguration' in json) {
    const iam = (json.iamConfiguration ?? {}) as Json;
    const ubla = iam.uniformBucketLevelAccess ?? iam.bucketPolicyOnly;
    if (ubla !== undefined) settings.uniformBucketLevelAccess = flag(ubla, 'enabled');
    if (iam.publicAccessPrevention !== undefined) {
      settings.publicAccessPrevention = (iam.publicAccessPrevention ?? 'inherited') as string;
    }
  }
  if ('labels' in json) settings.labels = mergeLabels(labelsNow, json.labels);
  return settings;
}

/** `{enabled: true}` → true; `null` or an absent key → false; anything else is handed on to be refused. */
function flag(value: unknown, key: string): boolean {
  return (field(value, key) ?? false) as boolean;
}

function field(value: unknown, key: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new HttpError(400, `Invalid value: expected an object with '${key}'.`);
  }
  return (value as Json)[key];
}

/** A patch merges labels (a `null` value removes one); an insert or update (no `labelsNow`) replaces them. */
function mergeLabels(labelsNow: Record<string, string> | undefined, sent: unknown): Record<string, string> {
  if (sent === null) return {};
  if (typeof sent !== 'object' || Array.isArray(sent)) throw new HttpError(400, 'Invalid labels: an object.');
  const merged = new Map(Object.entries(labelsNow ?? {}));
  for (const [key, value] of Object.entries(sent as Json)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value as string);
  }
  return Object.fromEntries(merged);
}
