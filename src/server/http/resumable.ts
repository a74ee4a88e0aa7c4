import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Preconditions } from '../../store/object-store.js';
import { objectNameProblem } from '../../util/names.js';
import type { EngineObject, StorageEngine } from '../engine/engine.js';
import { EngineError } from '../engine/engine-error.js';
import type { ServerLimits } from '../limits.js';
import { objectFields, parseJsonObject, type ObjectFields } from './body.js';
import type { ByteBudget } from './budget.js';
import { parseContentRange } from './content-range.js';
import { HttpError } from './errors.js';
import { jsonReply, type Reply } from './reply.js';
import { objectResource, preconditionsFrom } from './resources.js';

/** GCS's answer for a session URI it does not know (any more): 404, and the official clients start over. */
export const noSuchSession = (): HttpError =>
  new HttpError(404, 'No such upload session (it completed long ago, was cancelled or expired).', 'notFound');

interface Session {
  bucket: string;
  name: string;
  fields: ObjectFields;
  /** Sent on the initiating POST, checked when the upload completes (as GCS does). */
  preconditions: Preconditions;
  chunks: Buffer[];
  /** Bytes received so far: all of them held in `chunks`, and taken from the budget. */
  received: number;
  /** The object's size, once the client has declared it (`X-Upload-Content-Length`, or a Content-Range total). */
  total?: number;
  /** When the session was last used, on the monotonic clock. */
  touched: number;
  /** Set once the upload has completed: a repeated final PUT answers the same resource. */
  done?: EngineObject;
}

/** What a set of sessions is bounded by, and the clock it ages them with. */
export interface SessionOptions {
  limits: Pick<ServerLimits, 'maxObjectBytes' | 'maxUploadSessions' | 'uploadSessionIdleMs'>;
  budget: ByteBudget;
  /** Monotonic milliseconds. @default performance.now */
  now?: () => number;
}

/**
 * Resumable uploads (`uploadType=resumable`): the official Node client's default `file.save()` and
 * gcloud's path for larger files. A POST opens a session and answers its URI in `Location`; PUTs to
 * that URI carry the data, whole or in `Content-Range` chunks (308 with a `Range` header until the
 * last one); `Content-Range: bytes *\/N` asks how far the upload got, or finalises it when all N bytes
 * are in. A session's bytes are bounded by `maxObjectBytes` and taken from the server-wide budget; a
 * session idle for `uploadSessionIdleMs` is forgotten with its bytes (later requests to it are 404,
 * as GCS answers for an expired session, and the official clients then start over).
 */
export class ResumableSessions {
  /** In least-recently-used order: every use moves a session to the end, so expiry scans from the front. */
  readonly #sessions = new Map<string, Session>();
  readonly #limits: SessionOptions['limits'];
  readonly #budget: ByteBudget;
  readonly #now: () => number;

  constructor(options: SessionOptions) {
    this.#limits = options.limits;
    this.#budget = options.budget;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Open sessions (expired ones are dropped first). */
  get size(): number {
    this.sweep();
    return this.#sessions.size;
  }

  /** The object a session writes (for fault matching), or `undefined` for an unknown session. */
  target(id: string): { bucket: string; name: string } | undefined {
    this.sweep();
    return this.#sessions.get(id);
  }

  /**
   * Opens a session. The bucket, the name and a declared size are checked now; preconditions are only
   * recorded, for GCS opens a session even when they do not hold yet and fails the upload that completes it.
   */
  initiate(
    engine: StorageEngine,
    bucket: string,
    query: URLSearchParams,
    headers: IncomingHttpHeaders,
    body: Buffer,
    baseUrl: string,
  ): Reply {
    this.sweep();
    engine.getBucket(bucket);
    const fields = objectFields(parseJsonObject(body));
    const uploadType = headers['x-upload-content-type'];
    if (typeof uploadType === 'string' && fields.contentType === undefined) fields.contentType = uploadType;
    const name = query.get('name') ?? fields.name;
    if (name === undefined) throw new HttpError(400, 'Required parameter: name', 'required');
    const problem = objectNameProblem(name);
    if (problem)
      throw new HttpError(400, `The object name ${JSON.stringify(name)} is invalid: it ${problem}.`);
    const declared = headers['x-upload-content-length'];
    let total: number | undefined;
    if (typeof declared === 'string') {
      if (!/^\d{1,16}$/.test(declared.trim())) {
        throw new HttpError(400, `Invalid X-Upload-Content-Length: ${JSON.stringify(declared)}.`);
      }
      total = Number(declared);
      this.#checkSize(total);
    }
    while (this.#sessions.size >= this.#limits.maxUploadSessions) {
      this.#drop(this.#sessions.keys().next().value!);
    }
    const id = randomBytes(18).toString('base64url');
    this.#sessions.set(id, {
      bucket,
      name,
      fields,
      preconditions: preconditionsFrom(query),
      chunks: [],
      received: 0,
      ...(total === undefined ? {} : { total }),
      touched: this.#now(),
    });
    const location =
      `${baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable` +
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
    const session = this.#touch(id);
    if (session.done) return jsonReply(objectResource(session.done, baseUrl));
    const range = parseContentRange(contentRange, body.length);
    if (range.total !== undefined) {
      if (session.total !== undefined && range.total !== session.total) {
        throw new HttpError(
          400,
          `Content-Range declares ${range.total} bytes in all, but ${session.total} were declared before.`,
        );
      }
      this.#checkSize(range.total);
      session.total = range.total;
    }
    if (range.start !== undefined) this.#append(session, range.start, body);
    const total = session.total ?? (range.lastChunk ? session.received : undefined);
    if (total !== undefined && session.received > total) {
      throw new HttpError(400, `${session.received} bytes were sent, more than the declared ${total}.`);
    }
    if (total === undefined || session.received < total) {
      const headers: Record<string, string> =
        session.received > 0 ? { range: `bytes=0-${session.received - 1}` } : {};
      return { status: 308, headers };
    }
    return this.#complete(engine, id, session, baseUrl);
  }

  /** `DELETE` on a session URI cancels it: GCS answers 499. */
  cancel(id: string): Reply {
    this.#touch(id);
    this.#drop(id);
    return { status: 499 };
  }

  /** Forgets every session idle for longer than `uploadSessionIdleMs`, releasing its bytes. */
  sweep(): void {
    const horizon = this.#now() - this.#limits.uploadSessionIdleMs;
    for (const [id, session] of this.#sessions) {
      if (session.touched > horizon) break; // LRU order: every later session was used more recently
      this.#drop(id);
    }
  }

  clear(): void {
    for (const id of [...this.#sessions.keys()]) this.#drop(id);
  }

  #touch(id: string): Session {
    this.sweep();
    const session = this.#sessions.get(id);
    if (!session) throw noSuchSession();
    session.touched = this.#now();
    this.#sessions.delete(id);
    this.#sessions.set(id, session);
    return session;
  }

  /** Keeps the bytes of a chunk that are new: a retried chunk may overlap what already arrived. */
  #append(session: Session, start: number, body: Buffer): void {
    if (start > session.received) {
      throw new HttpError(
        400,
        `The chunk starts at byte ${start}, but only ${session.received} bytes were received: resume from there.`,
      );
    }
    const fresh = body.subarray(session.received - start);
    if (fresh.length === 0) return;
    this.#checkSize(session.received + fresh.length);
    if (!this.#budget.take(fresh.length)) {
      throw new HttpError(
        503,
        `The server already holds ${this.#budget.used} bytes of request bodies and unfinished uploads, ` +
          `its limit (limits.maxBufferedBytes, ${this.#budget.limit}); retry later, or raise the limit.`,
        'backendError',
      );
    }
    session.chunks.push(fresh);
    session.received += fresh.length;
  }

  #complete(engine: StorageEngine, id: string, session: Session, baseUrl: string): Reply {
    let object: EngineObject;
    try {
      object = engine.insertObject(
        session.bucket,
        session.name,
        {
          data: Buffer.concat(session.chunks, session.received),
          ...(session.fields.contentType === undefined ? {} : { contentType: session.fields.contentType }),
          ...(session.fields.metadata === undefined ? {} : { metadata: session.fields.metadata }),
        },
        session.preconditions,
      );
    } catch (error) {
      // A refusal that a retry cannot change (a precondition, a bad name) ends the session and frees
      // its bytes; a rate limit or an outage leaves it open, for the client to retry the last chunk.
      const status = error instanceof EngineError || error instanceof HttpError ? error.status : 500;
      if (status !== 429 && status !== 408 && status < 500) this.#drop(id);
      throw error;
    }
    this.#budget.release(session.received);
    session.chunks = [];
    session.received = 0;
    session.done = object;
    return jsonReply(objectResource(object, baseUrl));
  }

  /** A declared or accumulated size above `maxObjectBytes` is 413, as GCS answers an oversized upload. */
  #checkSize(bytes: number): void {
    if (bytes > this.#limits.maxObjectBytes) {
      throw new HttpError(
        413,
        `The upload is ${bytes} bytes, more than this server's object size limit of ${this.#limits.maxObjectBytes} ` +
          '(limits.maxObjectBytes; the emulator: --max-object-size).',
      );
    }
  }

  #drop(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.#budget.release(session.received);
    this.#sessions.delete(id);
  }
}
