import type { ObjectPatch, StorageEngine } from '../engine/engine.js';
import { checkContentType, parseJsonObject } from './body.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { requestedRange } from './range.js';
import { objectResource, preconditionsFrom } from './resources.js';

/** The parts of a request an object handler reads. */
export interface ObjectRequest {
  engine: StorageEngine;
  bucket: string;
  object: string;
  query: URLSearchParams;
  baseUrl: string;
  body: Buffer;
  /** The `Range` header of a media download. */
  range?: string | undefined;
}

/** `?generation=N`: the version a request addresses (the live one when absent). */
const generationOf = (query: URLSearchParams): string | undefined => query.get('generation') ?? undefined;

/** `GET .../o/NAME`: the resource, or with `alt=media` the data. Preconditions are checked either way. */
export function getObject(r: ObjectRequest, media: boolean): Reply {
  const object = r.engine.getObject(r.bucket, r.object, preconditionsFrom(r.query), generationOf(r.query));
  if (!media && r.query.get('alt') !== 'media') return jsonReply(objectResource(object, r.baseUrl));
  const headers: Record<string, string> = {
    'content-type': object.contentType,
    'x-goog-generation': object.generation.toString(),
    'x-goog-metageneration': object.metageneration.toString(),
    'x-goog-hash': `crc32c=${object.crc32c}${object.md5Hash === undefined ? '' : `,md5=${object.md5Hash}`}`,
    'x-goog-stored-content-length': String(object.data.length),
    'accept-ranges': 'bytes',
  };
  // gcloud's `cat -r` and resumed downloads ask for part of the object.
  const range = requestedRange(r.range, object.data.length);
  if (range === undefined) return { status: 200, data: object.data, headers };
  headers['content-range'] = `bytes ${range.start}-${range.end}/${object.data.length}`;
  return { status: 206, data: object.data.subarray(range.start, range.end + 1), headers };
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
  if (typeof json.contentType === 'string') patch.contentType = checkContentType(json.contentType);
  if (typeof json.eventBasedHold === 'boolean') patch.eventBasedHold = json.eventBasedHold;
  const object = r.engine.patchObject(
    r.bucket,
    r.object,
    patch,
    preconditionsFrom(r.query),
    generationOf(r.query),
  );
  return jsonReply(objectResource(object, r.baseUrl));
}

/**
 * `DELETE .../o/NAME`: 204 with no body. Without `generation` it deletes the live version (kept as
 * noncurrent in a versioned bucket); with one, that version for good.
 */
export function deleteObject(r: ObjectRequest): Reply {
  r.engine.deleteObject(r.bucket, r.object, preconditionsFrom(r.query), generationOf(r.query));
  return { status: 204 };
}

/** `GET .../b/B/o` (`versions=true`: noncurrent versions too): one page of a listing; `items`, `prefixes` and `nextPageToken` only when non-empty. */
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
    ...(query.get('versions') === 'true' ? { versions: true } : {}),
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
