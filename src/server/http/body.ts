import type { IncomingMessage } from 'node:http';
import type { ByteBudget } from './budget.js';
import { HttpError } from './errors.js';

/** How much of a request body may be read, and how long a pause in it may last. */
export interface BodyLimits {
  /** Most bytes this request's body may hold; more is 413 `uploadTooLarge`. */
  maxBytes: number;
  /** What to say when `maxBytes` is exceeded: the limit and how to raise it, if it can be. */
  tooLarge: string;
  /** The server-wide budget the body's bytes are taken from while it is held; none left is 503. */
  budget: ByteBudget;
  /** Longest pause between two chunks of the body; 408 `requestTimeout` after it. */
  idleTimeoutMs: number;
}

const EMPTY: ReadBody = { body: Buffer.alloc(0), release: () => undefined };

/** A body read whole, and the release of its bytes from the budget once the request is done with it. */
export interface ReadBody {
  body: Buffer;
  release(): void;
}

/** Whether a request carries a body: a non-zero `Content-Length`, or a chunked one. */
export function hasBody(req: IncomingMessage): boolean {
  const declared = req.headers['content-length'];
  return (declared !== undefined && declared !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads a request body whole, within `limits`: a declared `Content-Length` above `maxBytes` is refused
 * before a byte is read; otherwise bytes are counted as they arrive, against `maxBytes` and against
 * the server-wide budget, and a pause longer than `idleTimeoutMs` ends the read. On refusal the rest
 * of the body is left unread: the caller answers and closes the connection.
 */
export function readBody(req: IncomingMessage, limits: BodyLimits): Promise<ReadBody> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limits.maxBytes) {
    return Promise.reject(new HttpError(413, limits.tooLarge));
  }
  // Most requests (GET, DELETE) have no body: no listeners, no timer, nothing to wait for.
  if (!hasBody(req)) {
    req.resume();
    return Promise.resolve(EMPTY);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error: HttpError | undefined): void => {
      clearTimeout(timer);
      req.off('data', onData).off('end', onEnd).off('close', onClose).off('error', onClose);
      if (error === undefined) {
        let released = false;
        const release = (): void => {
          if (!released) limits.budget.release(size);
          released = true;
        };
        resolve({ body: Buffer.concat(chunks, size), release });
        return;
      }
      limits.budget.release(size);
      req.pause();
      reject(error);
    };
    // One timer, pushed back by every chunk (refresh() is far cheaper than a new timer per chunk).
    const timer = setTimeout(
      () =>
        finish(
          new HttpError(
            408,
            `The request body paused for more than ${limits.idleTimeoutMs / 1000} s; the request was abandoned.`,
          ),
        ),
      limits.idleTimeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      if (size + chunk.length > limits.maxBytes) return finish(new HttpError(413, limits.tooLarge));
      if (!limits.budget.take(chunk.length)) {
        return finish(
          new HttpError(
            503,
            `The server already holds ${limits.budget.used} bytes of request bodies and unfinished uploads, ` +
              `its limit (limits.maxBufferedBytes, ${limits.budget.limit}); retry later, or raise the limit.`,
            'backendError',
          ),
        );
      }
      size += chunk.length;
      chunks.push(chunk);
      timer.refresh();
    };
    const onEnd = (): void => finish(undefined);
    // The client went away mid-body: nobody is left to answer.
    const onClose = (): void => finish(new HttpError(499, 'The client closed the request.'));
    req.on('data', onData).on('end', onEnd).on('close', onClose).on('error', onClose);
  });
}

/** A JSON object body (an empty body is `{}`); anything else is GCS's 400 `parseError`. */
export function parseJsonObject(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Parse Error', 'parseError');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new HttpError(400, 'The request body must be a JSON object.', 'parseError');
  }
  return parsed as Record<string, unknown>;
}

/** Object metadata from a request's JSON: what an insert may set. */
export interface ObjectFields {
  name?: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/**
 * The fields of an object resource that an insert honours. Values are passed to the engine as sent
 * (a non-string metadata value is the engine's 400), except `null`, which on insert just means "absent".
 */
export function objectFields(json: Record<string, unknown>): ObjectFields {
  const fields: ObjectFields = {};
  if (typeof json.name === 'string') fields.name = json.name;
  if (typeof json.contentType === 'string') fields.contentType = checkContentType(json.contentType);
  if (json.metadata !== undefined && json.metadata !== null) {
    if (typeof json.metadata !== 'object' || Array.isArray(json.metadata)) {
      throw new HttpError(400, 'Invalid value for metadata: must be an object.');
    }
    // fromEntries defines each key as an own property: assigning `metadata[key] = value` would send a
    // key named "__proto__" to the prototype setter and drop it without a word.
    fields.metadata = Object.fromEntries(
      Object.entries(json.metadata as Record<string, unknown>).filter(([, value]) => value !== null),
    ) as Record<string, string>;
  }
  return fields;
}

/**
 * A content type the server can send back in a `Content-Type` header: printable ASCII only. Anything
 * else (a control character, a non-ASCII letter) would make every later media download fail, so it is
 * refused when it is set, with a 400 naming the value.
 */
export function checkContentType(value: string): string {
  if (!/^[\x20-\x7e]{1,1024}$/.test(value)) {
    throw new HttpError(
      400,
      `Invalid value for contentType: ${JSON.stringify(value)}; use a media type in printable ASCII, such as text/plain.`,
    );
  }
  return value;
}
