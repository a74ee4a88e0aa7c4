import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { StorageEngine } from '../engine/engine.js';
import type { FaultPlan } from '../fault-plan.js';
import { MAX_JSON_BODY_BYTES, type ServerLimits } from '../limits.js';
import { hasBody, readBody, type BodyLimits, type ReadBody } from './body.js';
import type { ByteBudget } from './budget.js';
import { errorReply, toErrorReply } from './errors.js';
import type { Holds } from './holds.js';
import type { Reply } from './reply.js';
import type { ResumableSessions } from './resumable.js';
import { routeRequest, type GcsRequest, type Route } from './router.js';

/** The control endpoint, as the handler sees it: a gate, then the operations behind it. */
export interface ControlEndpoint {
  /** Throws an `HttpError` for a request that must not reach the controls (see control-guard.ts). */
  admit(req: IncomingMessage): void;
  handle(path: string, method: string, body: Buffer): Reply;
}

export interface HandlerContext {
  engine: StorageEngine;
  faults: FaultPlan;
  sessions: ResumableSessions;
  holds: Holds;
  limits: ServerLimits;
  /** Bytes held by bodies being read and unfinished uploads, server-wide. */
  budget: ByteBudget;
  /** Serves `/_gcs-lock/...` (never faulted); `undefined` when it is off, and such paths are 404. */
  control: ControlEndpoint | undefined;
}

/** The path prefix of the control endpoint: no GCS path starts with `/_`. */
export const CONTROL_PREFIX = '/_gcs-lock/';

const NO_BODY = Buffer.alloc(0);

/**
 * Serves one request: route it on its head alone where possible, so that a request GCS would refuse
 * (a bad path, a method, an unknown upload session) is answered before a byte of its body is held;
 * then read the body within its limits, let the fault plan decide the request's fate, apply it and
 * answer (or not). Never rejects: every failure becomes a GCS error reply or a dropped connection.
 */
export async function handleRequest(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  const path = normalisePath(at === -1 ? url : url.slice(0, at));
  const query = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
  const reply = (answer: Reply): void => send(ctx.engine, res, answer);
  if (ctx.control !== undefined && path.startsWith(CONTROL_PREFIX)) {
    await serveControl(ctx, ctx.control, path.slice(CONTROL_PREFIX.length), req, reply);
    return;
  }

  const head: GcsRequest = {
    method: req.method ?? 'GET',
    path,
    query,
    headers: req.headers,
    body: NO_BODY,
    baseUrl: `http://${req.headers.host ?? 'localhost'}`,
  };
  let read: ReadBody | undefined;
  try {
    let route: Route;
    if (head.method === 'POST' && path.startsWith('/upload/') && !head.query.has('upload_id')) {
      // A one-request upload names its object in its body (fault rules match on it), so it is routed
      // once the body is read; its bucket is in the path, and a missing one is refused first.
      refuseUploadToMissingBucket(ctx.engine, path);
      read = await readBody(req, bodyLimits(ctx, path));
      route = routeRequest(ctx, { ...head, body: read.body });
    } else {
      // Routing reads no body (routes read it when they run), so routing the head alone refuses what
      // GCS would refuse before the body is held; a request with a body is routed again with it.
      route = routeRequest(ctx, head);
      if (hasBody(req)) {
        read = await readBody(req, bodyLimits(ctx, path));
        route = routeRequest(ctx, { ...head, body: read.body });
      } else {
        req.resume();
      }
    }
    await serveRoute(ctx, route, req, res);
  } catch (error) {
    reply(toErrorReply(error));
  } finally {
    read?.release();
  }
}

async function serveControl(
  ctx: HandlerContext,
  control: ControlEndpoint,
  path: string,
  req: IncomingMessage,
  reply: (answer: Reply) => void,
): Promise<void> {
  let read: ReadBody | undefined;
  try {
    control.admit(req);
    read = await readBody(req, bodyLimits(ctx, ''));
    reply(control.handle(path, req.method ?? 'GET', read.body));
  } catch (error) {
    reply(toErrorReply(error));
  } finally {
    read?.release();
  }
}

/**
 * GCS also serves uploads under `/resumable/upload/...` (gcloud sends its resumable uploads there),
 * and the official Node client, given `STORAGE_EMULATOR_HOST`, sends JSON API paths without
 * `/storage/v1`: both are mapped to the canonical path before routing.
 */
function normalisePath(path: string): string {
  if (path.startsWith('/resumable/upload/')) return path.slice('/resumable'.length);
  if (path === '/b' || path.startsWith('/b/')) return `/storage/v1${path}`;
  return path;
}

/**
 * An upload names its object in its body, so it is routed only once the body is read; its bucket
 * is in the path, though, and an upload to a bucket that does not exist is refused (404, as GCS
 * answers) before a byte of it is held.
 */
function refuseUploadToMissingBucket(engine: StorageEngine, path: string): void {
  const bucket = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/.exec(path)?.[1];
  if (bucket === undefined) return;
  let name: string;
  try {
    name = decodeURIComponent(bucket);
  } catch {
    return; // the router answers the bad escape
  }
  engine.getBucket(name);
}

const mib = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/** The two kinds of body limits of a server, made once: a request then allocates none. */
const LIMITS_CACHE = new WeakMap<HandlerContext, { upload: BodyLimits; json: BodyLimits }>();

/** Media uploads may carry an object; every other request carries at most a JSON resource. */
function bodyLimits(ctx: HandlerContext, path: string): BodyLimits {
  let limits = LIMITS_CACHE.get(ctx);
  if (limits === undefined) {
    const common = { budget: ctx.budget, idleTimeoutMs: ctx.limits.bodyIdleTimeoutMs };
    const upload = `The upload is larger than this server's object size limit, ${mib(ctx.limits.maxObjectBytes)} (limits.maxObjectBytes; the emulator: --max-object-size).`;
    const json = `The request body is larger than ${mib(MAX_JSON_BODY_BYTES)}, the most a JSON API request carries.`;
    limits = {
      // A multipart body carries its metadata part and delimiters beside the object's bytes.
      upload: { ...common, maxBytes: ctx.limits.maxObjectBytes + MAX_JSON_BODY_BYTES, tooLarge: upload },
      json: { ...common, maxBytes: MAX_JSON_BODY_BYTES, tooLarge: json },
    };
    LIMITS_CACHE.set(ctx, limits);
  }
  return path.startsWith('/upload/') ? limits.upload : limits.json;
}

async function serveRoute(
  ctx: HandlerContext,
  route: Route,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const decision = ctx.faults.decide({ op: route.op, bucket: route.bucket, object: route.object });
  // A client that gave up during the delay gets nothing applied: it never saw the request land.
  if (decision.delayMs > 0 && !(await ctx.holds.wait(decision.delayMs, req.socket))) return;
  switch (decision.outcome) {
    case 'ok':
      send(
        ctx.engine,
        res,
        safely(() => route.run()),
      );
      return;
    case 'error':
      send(ctx.engine, res, errorReply(decision.status ?? 503));
      return;
    case 'reset':
      // Dropped before anything is applied: the client sees a transport error and nothing changed.
      req.socket.destroy();
      return;
    case 'stall':
      // Neither applied nor answered; the connection drops when the stall ends or the client gives up.
      await ctx.holds.wait(decision.stallMs ?? 30_000, req.socket);
      req.socket.destroy();
      return;
    case 'commit-then-drop':
      // The change is applied (or refused, just as it would be) and the answer is lost either way:
      // the ambiguous write the lock must resolve by re-reading.
      safely(() => route.run());
      req.socket.destroy();
      return;
  }
}

function safely(run: () => Reply): Reply {
  try {
    return run();
  } catch (error) {
    return toErrorReply(error);
  }
}

/**
 * Writes a reply with a `Date` header from the server's clock (offset included), as GCS's clock is.
 * A request whose body was refused before it had all arrived gets `Connection: close`: the rest of
 * it is discarded as it comes, and the connection is not reused.
 */
export function send(engine: StorageEngine, res: ServerResponse, reply: Reply): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string | number> = {
    date: new Date(engine.now()).toUTCString(),
    ...reply.headers,
  };
  let payload: Buffer | undefined;
  if (reply.data !== undefined) payload = reply.data;
  else if (reply.json !== undefined) {
    payload = Buffer.from(JSON.stringify(reply.json));
    headers['content-type'] = 'application/json; charset=UTF-8';
  }
  // 204 and 304 carry no body, and no Content-Length either.
  if (reply.status === 304 || reply.status === 204) payload = undefined;
  else headers['content-length'] = payload?.length ?? 0;
  // `complete` would not do: a response written while the 'request' event is emitted comes before
  // the parser marks even a bodiless request complete. A body not read to its end is what matters.
  if (hasBody(res.req) && !res.req.readableEnded) {
    headers.connection = 'close';
    res.req.resume();
  }
  // The reason phrase is given, not left to Node: it keeps the one of an earlier attempt that threw.
  res.writeHead(reply.status, STATUS_CODES[reply.status] ?? '', headers);
  res.end(payload);
}
