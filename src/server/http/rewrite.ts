import type { Preconditions } from '../../store/object-store.js';
import type { StorageEngine } from '../engine/engine.js';
import { objectFields, parseJsonObject } from './body.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { objectResource, preconditionsFrom } from './resources.js';

/** One end of a copy: a bucket and an object name, decoded. */
export interface ObjectAddress {
  bucket: string;
  name: string;
}

/** The `ifSource*` query parameters, as preconditions on the source object. */
function sourcePreconditions(query: URLSearchParams): Preconditions {
  const preconditions: Preconditions = {};
  for (const [param, name] of [
    ['ifSourceGenerationMatch', 'ifGenerationMatch'],
    ['ifSourceGenerationNotMatch', 'ifGenerationNotMatch'],
    ['ifSourceMetagenerationMatch', 'ifMetagenerationMatch'],
    ['ifSourceMetagenerationNotMatch', 'ifMetagenerationNotMatch'],
  ] as const) {
    const value = query.get(param);
    if (value !== null) preconditions[name] = value;
  }
  return preconditions;
}

/**
 * `POST .../o/SRC/rewriteTo/b/DB/o/DST` and `.../copyTo/...` (gcloud's `cp` and `mv` between
 * objects): a new generation of the destination with the source's data, its metadata taken from the
 * request body where given and from the source otherwise. `ifSource*` preconditions apply to the
 * source, the four usual ones to the destination. A rewrite is done in one call here (the data is in
 * memory), so it answers `done: true` at once, with the resource.
 */
export function rewriteObject(
  engine: StorageEngine,
  source: ObjectAddress,
  destination: ObjectAddress,
  request: { query: URLSearchParams; body: Buffer; baseUrl: string },
  kind: 'rewriteTo' | 'copyTo',
): Reply {
  const { query, baseUrl } = request;
  const from = engine.getObject(source.bucket, source.name, sourcePreconditions(query));
  const generation = query.get('sourceGeneration');
  if (generation !== null && generation !== from.generation.toString()) {
    throw new HttpError(404, 'No such object.', 'notFound');
  }
  const fields = objectFields(parseJsonObject(request.body));
  const object = engine.insertObject(
    destination.bucket,
    destination.name,
    {
      data: from.data,
      contentType: fields.contentType ?? from.contentType,
      metadata: fields.metadata ?? from.metadata,
    },
    preconditionsFrom(query),
  );
  const resource = objectResource(object, baseUrl);
  if (kind === 'copyTo') return jsonReply(resource);
  const size = String(object.data.length);
  return jsonReply({
    kind: 'storage#rewriteResponse',
    totalBytesRewritten: size,
    objectSize: size,
    done: true,
    resource,
  });
}

/**
 * `GET /storage/v1/b/B/storageLayout`: gcloud asks it before listing with wildcards, `mv` and
 * `rm -r`, to learn whether the bucket has a hierarchical namespace (here, never).
 */
export function storageLayout(engine: StorageEngine, bucket: string): Reply {
  engine.getBucket(bucket);
  return jsonReply({
    kind: 'storage#storageLayout',
    bucket,
    location: 'US',
    locationType: 'multi-region',
    hierarchicalNamespace: { enabled: false },
  });
}
