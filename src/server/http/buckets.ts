import type { StorageEngine } from '../engine/engine.js';
import { parseJsonObject } from './body.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { bucketResource } from './resources.js';

/** `POST /storage/v1/b?project=P` with `{"name": ...}`: creates a bucket (409 if it exists). */
export function insertBucket(engine: StorageEngine, body: Buffer, baseUrl: string): Reply {
  const json = parseJsonObject(body);
  if (typeof json.name !== 'string') throw new HttpError(400, 'Required field: name', 'required');
  return jsonReply(bucketResource(engine.createBucket(json.name), baseUrl));
}

/** `GET /storage/v1/b/B`. */
export function getBucket(engine: StorageEngine, name: string, baseUrl: string): Reply {
  return jsonReply(bucketResource(engine.getBucket(name), baseUrl));
}

/** `GET /storage/v1/b`: every bucket on this server (the project is not checked). */
export function listBuckets(engine: StorageEngine, baseUrl: string): Reply {
  const items = engine.listBuckets().map((bucket) => bucketResource(bucket, baseUrl));
  return jsonReply(items.length > 0 ? { kind: 'storage#buckets', items } : { kind: 'storage#buckets' });
}
