import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { StorageEngine } from '../engine/engine.js';
import type { FaultPlan } from '../fault-plan.js';
import { MAX_JSON_BODY_BYTES, type ServerLimits } from '../limits.js';
import { readBody, type BodyLimits, type ReadBody } from './body.js';
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

/** Thrown by `GcsRequest.body` when routing reads the body before the handler has read it. */
const BODY_NOT_READ = new Error('the request body is read after routing');

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

  let read: ReadBody | undefined;
  const request: GcsRequest = {
    method: req.method ?? 'GET',
    path,
    query,
    headers: req.headers,
    // Routing decides most requests on their head; a multipart upload needs its body to know the
    // object's name (for fault rules), so reading it early throws, and the handler reads and re-routes.
    get body(): Buffer {
      if (read === undefined) throw BODY_NOT_READ;
      return read.body;
    },
    baseUrl: `http://${req.headers.host ?? 'localhost'}`,
  };
  try {
    let route: Route;
    try {
      route = routeRequest(ctx, request);
    } catch (error) {
      if (error !== BODY_NOT_READ) throw error;
      refuseUploadToMissingBucket(ctx.engine, path);
      read = await readBody(req, bodyLimits(ctx, path));
      route = routeRequest(ctx, request);
    }
    read ??= await readBody(req, bodyLimits(ctx, path));
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
    read = await readBody(req, {
      ...bodyLimits(ctx, ''),
      tooLarge: 'A control request body is at most 1 MiB.',
    });
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

/** Media uploads may carry an object; every other request carries at most a JSON resource. */
function bodyLimits(ctx: HandlerContext, path: string): BodyLimits {
  const upload = path.startsWith('/upload/');
  const mib = (bytes: number): string => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;
  return {
    // A multipart body carries its metadata part and delimiters beside the object's bytes.
    maxBytes: upload ? ctx.limits.maxObjectBytes + MAX_JSON_BODY_BYTES : MAX_JSON_BODY_BYTES,
    tooLarge: upload
      ? `The upload is larger than this server's object size limit, ${mib(ctx.limits.maxObjectBytes)} ` +
        '(limits.maxObjectBytes; the emulator: --max-object-size).'
      : `The request body is larger than ${mib(MAX_JSON_BODY_BYTES)}, the most a JSON API request carries.`,
    budget: ctx.budget,
    idleTimeoutMs: ctx.limits.bodyIdleTimeoutMs,
  };
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
  if (!res.req.complete) {
    headers.connection = 'close';
    res.req.resume();
  }
  // The reason phrase is given, not left to Node: it keeps the one of an earlier attempt that threw.
  res.writeHead(reply.status, STATUS_CODES[reply.status] ?? '', headers);
  res.end(payload);
}
