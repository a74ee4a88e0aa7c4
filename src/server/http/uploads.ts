import type { IncomingHttpHeaders } from 'node:http';
import type { StorageEngine } from '../engine/engine.js';
import { checkContentType, objectFields, parseJsonObject, type ObjectFields } from './body.js';
import { parseMultipart } from './multipart.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { objectResource, preconditionsFrom } from './resources.js';

/** A one-request insert (`uploadType=media` or `multipart`, or a metadata-only insert), parsed. */
export interface SimpleUpload {
  name: string | undefined;
  fields: ObjectFields;
  data: Buffer;
}

/**
 * Parses a one-request insert. The object's name comes from the `name` query parameter or, for
 * multipart, from the metadata part; the query wins, as in GCS.
 */
export function parseSimpleUpload(
  uploadType: string | null,
  query: URLSearchParams,
  headers: IncomingHttpHeaders,
  body: Buffer,
): SimpleUpload {
  let fields: ObjectFields;
  let data: Buffer;
  if (uploadType === 'media') {
    fields = typeof headers['content-type'] === 'string' ? { contentType: headers['content-type'] } : {};
    data = body;
  } else if (uploadType === 'multipart') {
    const [meta, media] = parseMultipart(headers['content-type'], body) as [
      { type: string; data: Buffer },
      { type: string; data: Buffer },
    ];
    fields = objectFields(parseJsonObject(meta.data));
    fields.contentType ??= checkContentType(media.type);
    data = media.data;
  } else if (uploadType === null) {
    // `POST /storage/v1/b/B/o` with a resource: an empty object with that metadata.
    fields = objectFields(parseJsonObject(body));
    data = Buffer.alloc(0);
  } else {
    throw new HttpError(400, `Invalid upload type: ${JSON.stringify(uploadType)}.`);
  }
  return { name: query.get('name') ?? fields.name, fields, data };
}

/** Applies a parsed one-request insert, with its preconditions, in one engine call. */
export function insertSimple(
  engine: StorageEngine,
  bucket: string,
  upload: SimpleUpload,
  query: URLSearchParams,
  baseUrl: string,
): Reply {
  if (upload.name === undefined) throw new HttpError(400, 'Required parameter: name', 'required');
  const object = engine.insertObject(
    bucket,
    upload.name,
    {
      data: upload.data,
      ...(upload.fields.contentType === undefined ? {} : { contentType: upload.fields.contentType }),
      ...(upload.fields.metadata === undefined ? {} : { metadata: upload.fields.metadata }),
    },
    preconditionsFrom(query),
  );
  return jsonReply(objectResource(object, baseUrl));
}
