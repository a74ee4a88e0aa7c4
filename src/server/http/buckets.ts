import { defaultSettings, type BucketSettings } from '../engine/bucket-config.js';
import type { BucketPreconditions, StorageEngine } from '../engine/engine.js';
import { parseJsonObject } from './body.js';
import { locationTypeOf, settingsFromJson } from './bucket-fields.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { bucketResource } from './resources.js';

/** `POST /storage/v1/b?project=P` with a bucket resource: creates it with those settings (409 if it exists). */
export function insertBucket(engine: StorageEngine, body: Buffer, baseUrl: string): Reply {
  const json = parseJsonObject(body);
  if (typeof json.name !== 'string') throw new HttpError(400, 'Required field: name', 'required');
  const settings = settingsFromJson(json);
  if (typeof json.location === 'string') {
    settings.location = json.location;
    settings.locationType = locationTypeOf(json.location);
  }
  return jsonReply(bucketResource(engine.createBucket(json.name, settings), baseUrl));
}

/** `GET /storage/v1/b/B`, with `ifMetagenerationMatch` / `ifMetagenerationNotMatch`. */
export function getBucket(
  engine: StorageEngine,
  name: string,
  query: URLSearchParams,
  baseUrl: string,
): Reply {
  return jsonReply(bucketResource(engine.describeBucket(name, bucketPreconditions(query)), baseUrl));
}

/**
 * `PATCH /storage/v1/b/B` changes only the fields sent; `PUT` (`buckets.update`) sets every writable
 * field, absent ones back to their defaults. Either bumps the metageneration. The location cannot change.
 */
export function changeBucket(
  engine: StorageEngine,
  name: string,
  mode: 'patch' | 'update',
  r: { query: URLSearchParams; body: Buffer; baseUrl: string },
): Reply {
  const json = parseJsonObject(r.body);
  const current = engine.getBucket(name).settings;
  if (typeof json.location === 'string' && json.location.toUpperCase() !== current.location) {
    throw new HttpError(400, `A bucket's location cannot change: '${name}' is in ${current.location}.`);
  }
  let changes: Partial<BucketSettings> = settingsFromJson(
    json,
    mode === 'patch' ? current.labels : undefined,
  );
  if (mode === 'update') {
    // What a bucket keeps through an update: where it is, and this server's own test knob.
    const { location, locationType, deniedPermissions } = current;
    changes = { ...defaultSettings(), ...changes, location, locationType, deniedPermissions };
  }
  return jsonReply(
    bucketResource(engine.updateBucket(name, changes, bucketPreconditions(r.query)), r.baseUrl),
  );
}

/** `GET /storage/v1/b`: every bucket on this server (the project is not checked). */
export function listBuckets(engine: StorageEngine, baseUrl: string): Reply {
  const items = engine.listBuckets().map((bucket) => bucketResource(bucket, baseUrl));
  return jsonReply(items.length > 0 ? { kind: 'storage#buckets', items } : { kind: 'storage#buckets' });
}

/**
 * `GET /storage/v1/b/B/iam/testPermissions?permissions=P&permissions=Q`: the permissions the caller
 * holds, omitted when none (GCS leaves out empty lists).
 */
export function testIamPermissions(engine: StorageEngine, name: string, query: URLSearchParams): Reply {
  const granted = engine.testPermissions(name, query.getAll('permissions'));
  const json: Record<string, unknown> = { kind: 'storage#testIamPermissionsResponse' };
  if (granted.length > 0) json.permissions = granted;
  return jsonReply(json);
}

function bucketPreconditions(query: URLSearchParams): BucketPreconditions {
  const match = query.get('ifMetagenerationMatch');
  const notMatch = query.get('ifMetagenerationNotMatch');
  return {
    ...(match === null ? {} : { ifMetagenerationMatch: match }),
    ...(notMatch === null ? {} : { ifMetagenerationNotMatch: notMatch }),
  };
}
