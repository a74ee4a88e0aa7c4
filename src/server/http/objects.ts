import type { ObjectPatch, StorageEngine } from '../engine/engine.js';
import { parseJsonObject } from './body.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { objectResource, preconditionsFrom } from './resources.js';

/** The parts of a request an object handler reads. */
export interface ObjectRequest {
  engine: StorageEngine;
  bucket: string;
  object: string;
  query: URLSearchParams;
  baseUrl: string;
  body: Buffer;
}

/**
 * With versioning off only the live version exists: naming any other `generation` is a 404, as GCS
 * answers for a version that is gone.
 */
function checkGeneration(query: URLSearchParams, live: bigint): void {
  const wanted = query.get('generation');
  if (wanted !== null && wanted !== live.toString()) throw new HttpError(404, 'No such object.', 'notFound');
}

/** `GET .../o/NAME`: the resource, or with `alt=media` the data. Preconditions are checked either way. */
export function getObject(r: ObjectRequest, media: boolean): Reply {
  const object = r.engine.getObject(r.bucket, r.object, preconditionsFrom(r.query));
  checkGeneration(r.query, object.generation);
  if (!media && r.query.get('alt') !== 'media') return jsonReply(objectResource(object, r.baseUrl));
  return {
    status: 200,
    data: object.data,
    headers: {
      'content-type': object.contentType,
      'x-goog-generation': object.generation.toString(),
      'x-goog-metageneration': object.metageneration.toString(),
      'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
      'x-goog-stored-content-length': String(object.data.length),
    },
  };
}

/** `PATCH .../o/NAME`: merges custom metadata (`null` removes a key) and bumps the metageneration. */
export function patchObject(r: ObjectRequest): Reply {
  const json = parseJsonObject(r.body);
  const patch: ObjectPatch = {};
  if (json.metadata !== undefined) {
    if (json.metadata !== null && (typeof json.metadata !== 'object' || Array.isArray(json.metadata))) {
      throw new HttpError(400, 'Invalid value for metadata: must be an object.');
    }
    patch.metadata = json.metadata as Record<string, string | null> | null;
  }
  if (typeof json.contentType === 'string') patch.contentType = json.contentType;
  const current = r.engine.getObject(r.bucket, r.object);
  checkGeneration(r.query, current.generation);
  const object = r.engine.patchObject(r.bucket, r.object, patch, preconditionsFrom(r.query));
  return jsonReply(objectResource(object, r.baseUrl));
}

/** `DELETE .../o/NAME`: 204 with no body. */
export function deleteObject(r: ObjectRequest): Reply {
  const current = r.engine.getObject(r.bucket, r.object);
  checkGeneration(r.query, current.generation);
  r.engine.deleteObject(r.bucket, r.object, preconditionsFrom(r.query));
  return { status: 204 };
}

/** `GET .../b/B/o`: one page of a listing; `items`, `prefixes` and `nextPageToken` only when non-empty. */
export function listObjects(
  engine: StorageEngine,
  bucket: string,
  query: URLSearchParams,
  baseUrl: string,
): Reply {
  const maxResults = query.get('maxResults');
  const options = {
    ...optional('prefix', query.get('prefix')),
    ...optional('delimiter', query.get('delimiter')),
    ...optional('pageToken', query.get('pageToken')),
    ...optional('startOffset', query.get('startOffset')),
    ...optional('endOffset', query.get('endOffset')),
    ...(maxResults === null
      ? {}
      : { maxResults: /^\d+$/.test(maxResults) ? Number(maxResults) : Number.NaN }),
  };
  const page = engine.listObjects(bucket, options);
  const json: Record<string, unknown> = { kind: 'storage#objects' };
  if (page.items.length > 0) json.items = page.items.map((object) => objectResource(object, baseUrl));
  if (page.prefixes.length > 0) json.prefixes = page.prefixes;
  if (page.nextPageToken !== undefined) json.nextPageToken = page.nextPageToken;
  return jsonReply(json);
}

function optional<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value === null || value === '' ? {} : { [key]: value }) as { [P in K]?: string };
}
