import { StorageError } from '../errors/storage-error.js';
import { redact } from './credentials.js';

/** Which object operation failed: decides the permission named in a 401/403 message. */
export type StoreOperation = 'insert' | 'get' | 'patch' | 'delete' | 'list' | 'compose' | 'bucket' | 'iam';

const PERMISSION: Record<StoreOperation, string> = {
  // Overwriting an existing object (a stale-lock takeover) also needs delete.
  insert: 'storage.objects.create (and storage.objects.delete to overwrite a stale lock)',
  get: 'storage.objects.get',
  patch: 'storage.objects.update',
  delete: 'storage.objects.delete',
  list: 'storage.objects.list',
  compose:
    'storage.objects.create and storage.objects.get (and storage.objects.delete to replace the destination)',
  bucket: 'storage.buckets.get',
  iam: 'no permission for testIamPermissions itself; the bucket may be in another organisation',
};

/** Operations that name no object that could be missing: their 404 means the bucket is. */
const BUCKET_ONLY: readonly StoreOperation[] = ['insert', 'list', 'bucket', 'iam'];

/** GCS's error body, as far as it can be trusted: servers differ (code as a string, no reason). */
export interface ErrorBody {
  /** `error.message`, when the body was JSON with one. */
  message: string | undefined;
  /** `error.errors[0].reason`, when sent. Informational only: we branch on the HTTP status. */
  reason: string | undefined;
  /** Whether the body was a JSON object with an `error` member (as GCS and its emulators send). */
  json: boolean;
}

/**
 * Parses an error body without trusting it: not JSON, JSON of another shape, or a huge HTML page
 * all come back as `{ json: false }` or with `undefined` fields, never as a throw.
 *
 * @example
 * ```ts
 * parseErrorBody('{"error":{"code":412,"message":"Precondition Failed"}}').message; // 'Precondition Failed'
 * ```
 */
export function parseErrorBody(text: string): ErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { message: undefined, reason: undefined, json: false };
  }
  const error = isRecord(parsed) ? parsed['error'] : undefined;
  if (!isRecord(error)) return { message: undefined, reason: undefined, json: false };
  const first = Array.isArray(error['errors']) ? (error['errors'][0] as unknown) : undefined;
  const reason = isRecord(first) && typeof first['reason'] === 'string' ? first['reason'] : undefined;
  const message = typeof error['message'] === 'string' ? error['message'] : undefined;
  return { message, reason, json: true };
}

/**
 * Whether a 404 body says the *bucket* is missing. Real GCS is inconsistent: bucket endpoints say
 * "The specified bucket does not exist.", but an object GET in a missing bucket answers
 * "No such object: bucket/name" (googleapis/nodejs-storage#1183), and the local server says
 * "No such bucket.". So a match proves a missing bucket; no match proves nothing.
 *
 * @example
 * ```ts
 * saysBucketMissing('The specified bucket does not exist.'); // true
 * ```
 */
export function saysBucketMissing(message: string | undefined): boolean {
  return /no such bucket|bucket does not exist|bucket not found|bucket_not_found/i.test(message ?? '');
}

/**
 * Turns a non-2xx response into a `StorageError`: the status decides, GCS's message is quoted
 * (scrubbed of every credential we sent), and 401/403/404-on-insert get a message saying what to fix.
 *
 * @example
 * ```ts
 * throw httpError({ op: 'get', operation: 'GET gs://b/o', bucket: 'b', status: 403, body, secrets });
 * ```
 */
export function httpError(input: {
  op: StoreOperation;
  operation: string;
  bucket: string;
  status: number;
  statusText: string;
  body: string;
  secrets: readonly string[];
  location?: string | null;
}): StorageError {
  const { op, bucket, status } = input;
  const parsed = parseErrorBody(input.body);
  const quoted =
    parsed.message ?? (input.body.trim() ? snippet(input.body) : input.statusText || 'no message');
  const server = redact(quoted, input.secrets);
  let message = `HTTP ${status}: ${server}`;
  if (status === 401) {
    message +=
      ' (the request was not authenticated: the credentials are missing, expired or not accepted by this endpoint)';
  } else if (status === 403) {
    message +=
      ` (permission denied: the caller needs ${PERMISSION[op]} on bucket "${bucket}";` +
      ' roles/storage.objectUser on the bucket grants all a lock needs)';
  } else if (status === 404 && (BUCKET_ONLY.includes(op) || saysBucketMissing(parsed.message))) {
    // An insert, a listing or a bucket request can only 404 because the bucket is missing.
    message += ` (bucket "${bucket}" does not exist: create it, or check the bucket name and the endpoint)`;
  } else if (status >= 300 && status < 400 && status !== 304) {
    // Never followed: see GcsStore's note on redirects. The location is shown without its query.
    const where = input.location ? ` to ${safeLocation(input.location)}` : '';
    message += ` (unexpected redirect${where}; the endpoint is probably wrong)`;
  }
  // The reason is server text too: scrubbed like the message, and kept short.
  const reason = parsed.reason === undefined ? undefined : redact(parsed.reason, input.secrets).slice(0, 100);
  return new StorageError(input.operation, status, message, { reason });
}

function snippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}

function safeLocation(location: string): string {
  try {
    const url = new URL(location);
    return `${url.origin}${url.pathname}`;
  } catch {
    return 'an unparseable location';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
