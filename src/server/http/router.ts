import type { IncomingHttpHeaders } from 'node:http';
import type { StorageEngine } from '../engine/engine.js';
import type { Operation } from '../fault-plan.js';
import { changeBucket, insertBucket, getBucket, listBuckets, testIamPermissions } from './buckets.js';
import { composeObject } from './compose.js';
import { objectFields, parseJsonObject } from './body.js';
import { HttpError } from './errors.js';
import { deleteObject, getObject, listObjects, patchObject, type ObjectRequest } from './objects.js';
import type { Reply } from './reply.js';
import { noSuchSession, type ResumableSessions } from './resumable.js';
import { rewriteObject, storageLayout } from './rewrite.js';
import { insertSimple, parseSimpleUpload } from './uploads.js';

/**
 * A GCS request, ready to be routed. Routing reads only the head (routes read `body` when they run),
 * except for a one-request upload, whose object name may be in its body: so the handler routes a
 * request's head before reading its body, and again with the body once read.
 */
export interface GcsRequest {
  method: string;
  /** The raw path, still percent-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body; empty while the head alone is routed. */
  body: Buffer;
  /** `http://host:port` as the client addressed us, for `selfLink`, `mediaLink` and `Location`. */
  baseUrl: string;
}

/**
 * A routed request: what it is (for fault rules) and how to apply it. `run` is synchronous, and the
 * engine is synchronous, so each check-and-change happens without interleaving with another request.
 */
export interface Route {
  op: Operation;
  bucket?: string | undefined;
  object?: string | undefined;
  run(): Reply;
}

export interface RouteContext {
  engine: StorageEngine;
  sessions: ResumableSessions;
}

const API = /^\/storage\/v1\/b(?:\/([^/]+)(\/o(?:\/(.+))?)?)?\/?$/;
const DOWNLOAD = /^\/download\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/;
const UPLOAD = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/;
const TEST_PERMISSIONS = /^\/storage\/v1\/b\/([^/]+)\/iam\/testPermissions\/?$/;
// The object name is one percent-encoded segment (its "/" sent as %2F), so a literal "/compose" is the verb.
const COMPOSE = /^\/storage\/v1\/b\/([^/]+)\/o\/([^/]+)\/compose\/?$/;
const REWRITE = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+?)\/(rewriteTo|copyTo)\/b\/([^/]+)\/o\/(.+)$/;
const LAYOUT = /^\/storage\/v1\/b\/([^/]+)\/storageLayout$/;

/** Maps a request to a route; throws `HttpError` for paths and methods GCS would not serve. */
export function routeRequest(ctx: RouteContext, request: GcsRequest): Route {
  const { engine } = ctx;
  // The official Node client uses STORAGE_EMULATOR_HOST verbatim as the JSON API base, so with
  // `STORAGE_EMULATOR_HOST=http://host:port` its JSON requests come without `/storage/v1`.
  const req = /^\/b(\/|$)/.test(request.path) ? { ...request, path: `/storage/v1${request.path}` } : request;
  const { method, query, baseUrl } = req;
  const upload = UPLOAD.exec(req.path);
  if (upload) return routeUpload(ctx, req, decode(upload[1]!));

  const download = DOWNLOAD.exec(req.path);
  if (download && method === 'GET') {
    const r = objectRequest(ctx, req, decode(download[1]!), decode(download[2]!));
    return { op: 'get', bucket: r.bucket, object: r.object, run: () => getObject(r, true) };
  }

  const iam = TEST_PERMISSIONS.exec(req.path);
  if (iam) {
    const bucket = decode(iam[1]!);
    if (method !== 'GET') throw methodNotAllowed(method);
    return { op: 'bucket', bucket, run: () => testIamPermissions(engine, bucket, query) };
  }
  const compose = COMPOSE.exec(req.path);
  if (compose) {
    const [bucket, object] = [decode(compose[1]!), decode(compose[2]!)];
    if (method !== 'POST') throw methodNotAllowed(method);
    return { op: 'insert', bucket, object, run: () => composeObject(engine, bucket, object, req) };
  }
  const special = routeSpecial(ctx, req);
  if (special) return special;

  const api = API.exec(req.path);
  if (!api) throw new HttpError(404, 'Not Found', 'notFound');
  const [, rawBucket, objects, rawObject] = api;
  const hasObjects = objects !== undefined;
  if (rawBucket === undefined) {
    if (method === 'POST') return { op: 'bucket', run: () => insertBucket(engine, req.body, baseUrl) };
    if (method === 'GET') return { op: 'bucket', run: () => listBuckets(engine, baseUrl) };
    throw methodNotAllowed(method);
  }
  const bucket = decode(rawBucket);
  if (!hasObjects) {
    if (method === 'GET')
      return { op: 'bucket', bucket, run: () => getBucket(engine, bucket, query, baseUrl) };
    if (method === 'PATCH')
      return { op: 'bucket', bucket, run: () => changeBucket(engine, bucket, 'patch', req) };
    if (method === 'PUT')
      return { op: 'bucket', bucket, run: () => changeBucket(engine, bucket, 'update', req) };
    throw methodNotAllowed(method);
  }
  if (rawObject === undefined) {
    if (method === 'GET')
      return { op: 'list', bucket, run: () => listObjects(engine, bucket, query, baseUrl) };
    if (method === 'POST') {
      const parsed = parseSimpleUpload(null, query, req.headers, req.body);
      return {
        op: 'insert',
        bucket,
        object: parsed.name,
        run: () => insertSimple(engine, bucket, parsed, query, baseUrl),
      };
    }
    throw methodNotAllowed(method);
  }
  const r = objectRequest(ctx, req, bucket, decode(rawObject));
  const target = { bucket: r.bucket, object: r.object };
  if (method === 'GET') return { op: 'get', ...target, run: () => getObject(r, false) };
  if (method === 'PATCH') return { op: 'patch', ...target, run: () => patchObject(r) };
  if (method === 'DELETE') return { op: 'delete', ...target, run: () => deleteObject(r) };
  throw methodNotAllowed(method);
}

function routeUpload(ctx: RouteContext, req: GcsRequest, bucket: string): Route {
  const { engine, sessions } = ctx;
  const { method, query, baseUrl } = req;
  const uploadId = query.get('upload_id');
  if (uploadId !== null) {
    // An unknown (or expired) session is refused here, before its request's body is read.
    const target = sessions.target(uploadId);
    if (target === undefined) throw noSuchSession();
    const route = { op: 'insert' as const, bucket: target.bucket, object: target.name };
    if (method === 'DELETE') return { ...route, run: () => sessions.cancel(uploadId) };
    if (method !== 'PUT' && method !== 'POST') throw methodNotAllowed(method);
    const range = req.headers['content-range'];
    return { ...route, run: () => sessions.put(engine, uploadId, range, req.body, baseUrl) };
  }
  if (method !== 'POST') throw methodNotAllowed(method);
  const uploadType = query.get('uploadType');
  if (uploadType === 'resumable') {
    return {
      op: 'insert',
      bucket,
      // gcloud names the object in the body, not the query: fault rules on an object match either way.
      object: query.get('name') ?? objectFields(parseJsonObject(req.body)).name,
      run: () => sessions.initiate(engine, bucket, query, req.headers, req.body, baseUrl),
    };
  }
  const parsed = parseSimpleUpload(uploadType ?? 'media', query, req.headers, req.body);
  return {
    op: 'insert',
    bucket,
    object: parsed.name,
    run: () => insertSimple(engine, bucket, parsed, query, baseUrl),
  };
}

/** Routes with a verb after the resource (gcloud's copies and layout query); `undefined` for others. */
function routeSpecial(ctx: RouteContext, req: GcsRequest): Route | undefined {
  const rewrite = REWRITE.exec(req.path);
  if (rewrite) {
    if (req.method !== 'POST') throw methodNotAllowed(req.method);
    const source = { bucket: decode(rewrite[1]!), name: decode(rewrite[2]!) };
    const destination = { bucket: decode(rewrite[4]!), name: decode(rewrite[5]!) };
    const kind = rewrite[3] as 'rewriteTo' | 'copyTo';
    return {
      op: 'insert',
      bucket: destination.bucket,
      object: destination.name,
      run: () => rewriteObject(ctx.engine, source, destination, req, kind),
    };
  }
  const layout = LAYOUT.exec(req.path);
  if (layout) {
    if (req.method !== 'GET') throw methodNotAllowed(req.method);
    const bucket = decode(layout[1]!);
    return { op: 'bucket', bucket, run: () => storageLayout(ctx.engine, bucket) };
  }
  return undefined;
}

function objectRequest(ctx: RouteContext, req: GcsRequest, bucket: string, object: string): ObjectRequest {
  const { query, baseUrl, body } = req;
  return { engine: ctx.engine, bucket, object, query, baseUrl, body, range: req.headers.range };
}

/** Percent-decodes one path segment; a malformed escape is a 400, as GCS answers. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HttpError(400, `Invalid percent-encoding in path: ${JSON.stringify(segment)}.`);
  }
}

const methodNotAllowed = (method: string): HttpError =>
  new HttpError(405, `Method ${method} is not allowed on this resource.`, 'methodNotAllowed');
