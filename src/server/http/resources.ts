import type { Preconditions } from '../../store/object-store.js';
import type { EngineBucket, EngineObject } from '../engine/engine.js';

/** RFC 3339 with milliseconds, as GCS writes `timeCreated` and `updated`. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString();

/**
 * GCS's JSON etag is an opaque base64 token that changes with every generation or metageneration.
 * Clients must not parse it; ours encodes both numbers, which is enough to make it change when GCS's does.
 */
function etag(object: EngineObject): string {
  return Buffer.from(`${object.generation}/${object.metageneration}`).toString('base64');
}

/** An object resource in GCS's JSON shape: numbers beyond 2^53 as decimal strings, times in RFC 3339. */
export function objectResource(object: EngineObject, baseUrl: string): Record<string, unknown> {
  const encoded = encodeURIComponent(object.name);
  const generation = object.generation.toString();
  const resource: Record<string, unknown> = {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${generation}`,
    selfLink: `${baseUrl}/storage/v1/b/${object.bucket}/o/${encoded}`,
    mediaLink: `${baseUrl}/download/storage/v1/b/${object.bucket}/o/${encoded}?generation=${generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation,
    metageneration: object.metageneration.toString(),
    contentType: object.contentType,
    storageClass: 'STANDARD',
    size: String(object.data.length),
    crc32c: object.crc32c,
    etag: etag(object),
    timeCreated: rfc3339(object.timeCreated),
    updated: rfc3339(object.updated),
    timeStorageClassUpdated: rfc3339(object.timeCreated),
  };
  // GCS sends no MD5 for a composite object, and the version fields only where they apply.
  if (object.md5Hash !== undefined) resource.md5Hash = object.md5Hash;
  if (object.componentCount !== undefined) resource.componentCount = object.componentCount;
  if (object.eventBasedHold !== undefined) resource.eventBasedHold = object.eventBasedHold;
  if (object.timeDeleted !== undefined) resource.timeDeleted = rfc3339(object.timeDeleted);
  // GCS leaves `metadata` out entirely when an object has no custom metadata.
  if (Object.keys(object.metadata).length > 0) resource.metadata = { ...object.metadata };
  return resource;
}

/**
 * A bucket's JSON etag. GCS's is base64 of a small protobuf holding the metageneration ("CAE=" for 1):
 * ours is built the same way, so it changes exactly when the metageneration does.
 */
function bucketEtag(metageneration: bigint): string {
  const bytes = [0x08];
  let rest = metageneration;
  do {
    const low = Number(rest & 0x7fn);
    rest >>= 7n;
    bytes.push(rest > 0n ? low | 0x80 : low);
  } while (rest > 0n);
  return Buffer.from(bytes).toString('base64');
}

/** A bucket resource in GCS's JSON shape; optional parts only when set, as GCS sends them. */
export function bucketResource(bucket: EngineBucket, baseUrl: string): Record<string, unknown> {
  const { settings } = bucket;
  const created = rfc3339(bucket.timeCreated);
  const resource: Record<string, unknown> = {
    kind: 'storage#bucket',
    id: bucket.name,
    selfLink: `${baseUrl}/storage/v1/b/${bucket.name}`,
    projectNumber: '0',
    name: bucket.name,
    timeCreated: created,
    updated: rfc3339(bucket.updated),
    metageneration: bucket.metageneration.toString(),
    location: settings.location,
    locationType: settings.locationType,
    storageClass: settings.storageClass,
    etag: bucketEtag(bucket.metageneration),
    rpo: 'DEFAULT',
    versioning: { enabled: settings.versioning },
    softDeletePolicy: {
      retentionDurationSeconds: String(settings.softDeleteRetentionSeconds),
      effectiveTime: created,
    },
    iamConfiguration: {
      bucketPolicyOnly: { enabled: settings.uniformBucketLevelAccess },
      uniformBucketLevelAccess: { enabled: settings.uniformBucketLevelAccess },
      publicAccessPrevention: settings.publicAccessPrevention,
    },
  };
  if (settings.retentionPeriodSeconds !== undefined) {
    resource.retentionPolicy = {
      retentionPeriod: String(settings.retentionPeriodSeconds),
      effectiveTime: created,
      isLocked: false,
    };
  }
  if (settings.defaultEventBasedHold) resource.defaultEventBasedHold = true;
  if (settings.lifecycleRules.length > 0)
    resource.lifecycle = { rule: structuredClone(settings.lifecycleRules) };
  if (settings.requesterPays) resource.billing = { requesterPays: true };
  if (Object.keys(settings.labels).length > 0) resource.labels = { ...settings.labels };
  return resource;
}

const PRECONDITIONS = [
  'ifGenerationMatch',
  'ifGenerationNotMatch',
  'ifMetagenerationMatch',
  'ifMetagenerationNotMatch',
] as const;

/** The four preconditions from a query string; the engine validates their values. */
export function preconditionsFrom(query: URLSearchParams): Preconditions {
  const preconditions: Preconditions = {};
  for (const name of PRECONDITIONS) {
    const value = query.get(name);
    if (value !== null) preconditions[name] = value;
  }
  return preconditions;
}
