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
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: etag(object),
    timeCreated: rfc3339(object.timeCreated),
    updated: rfc3339(object.updated),
    timeStorageClassUpdated: rfc3339(object.timeCreated),
  };
  // GCS leaves `metadata` out entirely when an object has no custom metadata.
  if (Object.keys(object.metadata).length > 0) resource.metadata = { ...object.metadata };
  return resource;
}

export function bucketResource(bucket: EngineBucket, baseUrl: string): Record<string, unknown> {
  const created = rfc3339(bucket.timeCreated);
  return {
    kind: 'storage#bucket',
    id: bucket.name,
    selfLink: `${baseUrl}/storage/v1/b/${bucket.name}`,
    name: bucket.name,
    projectNumber: '0',
    metageneration: '1',
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    timeCreated: created,
    updated: created,
  };
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
