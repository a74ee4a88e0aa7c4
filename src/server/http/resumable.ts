import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Preconditions } from '../../store/object-store.js';
import { objectNameProblem } from '../../util/names.js';
import type { EngineObject, StorageEngine } from '../engine/engine.js';
import { objectFields, parseJsonObject, type ObjectFields } from './body.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { objectResource, preconditionsFrom } from './resources.js';

interface Session {
  bucket: string;
  name: string;
  fields: ObjectFields;
  /** Sent on the initiating POST, checked when the upload completes (as GCS does). */
  preconditions: Preconditions;
  chunks: Buffer[];
  received: number;
  /** Set once the upload has completed: a repeated final PUT answers the same resource. */
  done?: EngineObject;
}

/** Open sessions beyond this are forgotten oldest first, so abandoned uploads cannot grow memory forever. */
const MAX_SESSIONS = 10_000;

/**
 * Resumable uploads (`uploadType=resumable`), the official Node client's default `file.save()` path:
 * a POST opens a session and answers its URI in `Location`; PUTs to that URI carry the data, in one
 * request or in `Content-Range` chunks (308 with a `Range` header until the last one).
 */
export class ResumableSessions {
  readonly #sessions = new Map<string, Session>();

  /** The object a session writes (for fault matching), or `undefined` for an unknown session. */
  target(id: string): { bucket: string; name: string } | undefined {
    return this.#sessions.get(id);
  }

  /**
   * Opens a session. The bucket and the name are checked now; preconditions are only recorded, for
   * GCS opens a session even when they do not hold yet and fails the upload that completes it.
   */
  initiate(
    engine: StorageEngine,
    bucket: string,
    query: URLSearchParams,
    headers: IncomingHttpHeaders,
    body: Buffer,
    baseUrl: string,
  ): Reply {
    engine.getBucket(bucket);
    const fields = objectFields(parseJsonObject(body));
    const uploadType = headers['x-upload-content-type'];
    if (typeof uploadType === 'string' && fields.contentType === undefined) fields.contentType = uploadType;
    const name = query.get('name') ?? fields.name;
    if (name === undefined) throw new HttpError(400, 'Required parameter: name', 'required');
    const problem = objectNameProblem(name);
    if (problem)
      throw new HttpError(400, `The object name ${JSON.stringify(name)} is invalid: it ${problem}.`);
    const id = randomBytes(18).toString('base64url');
    if (this.#sessions.size >= MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    this.#sessions.set(id, {
      bucket,
      name,
      fields,
      preconditions: preconditionsFrom(query),
      chunks: [],
      received: 0,
    });
    const location =
      `${baseUrl}/upload/storage/v1/b/${bucket}/o?uploadType=resumable` +
      `&name=${encodeURIComponent(name)}&upload_id=${id}`;
    return { status: 200, headers: { location, 'x-guploader-uploadid': id } };
  }

  /** A PUT to a session: stores a chunk, answers 308 while incomplete, inserts the object when complete. */
  put(
    engine: StorageEngine,
    id: string,
    contentRange: string | undefined,
    body: Buffer,
    baseUrl: string,
  ): Reply {
    const session = this.#sessions.get(id);
    if (!session) throw new HttpError(404, 'No such upload session.', 'notFound');
    if (session.done) return jsonReply(objectResource(session.done, baseUrl));
    const range = parseContentRange(contentRange, body.length);
    if (range.start !== undefined) {
      if (range.start > session.received) {
        throw new HttpError(
          400,
          `Chunk starts at ${range.start} but only ${session.received} bytes were received.`,
        );
      }
      // A retried chunk may overlap what already arrived: keep only the new bytes.
      const fresh = body.subarray(session.received - range.start);
      session.chunks.push(fresh);
      session.received += fresh.length;
    }
    const total = range.total ?? (range.lastChunk ? session.received : undefined);
    if (total === undefined || session.received < total) {
      const headers: Record<string, string> =
        session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {};
      return { status: 308, headers };
    }
    if (session.received > total) throw new HttpError(400, 'More bytes were sent than the declared total.');
    const object = engine.insertObject(
      session.bucket,
      session.name,
      {
        data: Buffer.concat(session.chunks),
        ...(session.fields.contentType === undefined ? {} : { contentType: session.fields.contentType }),
        ...(session.fields.metadata === undefined ? {} : { metadata: session.fields.metadata }),
      },
      session.preconditions,
    );
    session.done = object;
    session.chunks = [];
    return jsonReply(objectResource(object, baseUrl));
  }

  /** `DELETE` on a session URI cancels it: GCS answers 499. */
  cancel(id: string): Reply {
    if (!this.#sessions.delete(id)) throw new HttpError(404, 'No such upload session.', 'notFound');
    return { status: 499 };
  }

  clear(): void {
    this.#sessions.clear();
  }
}

interface ParsedRange {
  /** Where this request's bytes start; `undefined` for a status query (`bytes *\/T`). */
  start?: number;
  total?: number;
  /** This request ends the upload although no total was declared (`bytes 0-*\/*`: a streamed upload). */
  lastChunk: boolean;
}

/** `Content-Range` as resumable uploads use it; no header means "this body is the whole object". */
function parseContentRange(header: string | undefined, length: number): ParsedRange {
  if (header === undefined) return { start: 0, total: length, lastChunk: true };
  const match = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(header.trim());
  if (!match) throw new HttpError(400, `Invalid Content-Range: ${JSON.stringify(header)}.`);
  const [, start, end, total] = match;
  const parsed: ParsedRange = { lastChunk: end === '*' };
  if (start !== undefined) parsed.start = Number(start);
  if (total !== undefined && total !== '*') parsed.total = Number(total);
  if (start !== undefined && end !== undefined && end !== '*' && Number(end) - Number(start) + 1 !== length) {
    throw new HttpError(400, 'Content-Range does not match the length of the body.');
  }
  return parsed;
}
