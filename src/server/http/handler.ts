import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StorageEngine } from '../engine/engine.js';
import type { FaultPlan } from '../fault-plan.js';
import { readBody } from './body.js';
import { errorReply, toErrorReply } from './errors.js';
import type { Holds } from './holds.js';
import type { Reply } from './reply.js';
import type { ResumableSessions } from './resumable.js';
import { routeRequest, type GcsRequest, type Route } from './router.js';

export interface HandlerContext {
  engine: StorageEngine;
  faults: FaultPlan;
  sessions: ResumableSessions;
  holds: Holds;
  /** Serves `/_gcs-lock/...`; those requests are never faulted. */
  control: (path: string, method: string, body: Buffer) => Reply;
}

/** The path prefix of the control endpoint: no GCS path starts with `/_`. */
export const CONTROL_PREFIX = '/_gcs-lock/';

/**
 * Serves one request: read it whole, route it, let the fault plan decide its fate, then apply it and
 * answer (or not). Never rejects: every failure becomes a GCS error reply or a dropped connection.
 */
export async function handleRequest(
  ctx: HandlerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const url = req.url ?? '/';
  const at = url.indexOf('?');
  const path = at === -1 ? url : url.slice(0, at);
  const query = new URLSearchParams(at === -1 ? '' : url.slice(at + 1));
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    send(ctx.engine, res, toErrorReply(error));
    return;
  }
  if (path.startsWith(CONTROL_PREFIX)) {
    send(
      ctx.engine,
      res,
      safely(() => ctx.control(path.slice(CONTROL_PREFIX.length), req.method ?? 'GET', body)),
    );
    return;
  }
  const request: GcsRequest = {
    method: req.method ?? 'GET',
    path,
    query,
    headers: req.headers,
    body,
    baseUrl: `http://${req.headers.host ?? 'localhost'}`,
  };
  let route: Route;
  try {
    route = routeRequest(ctx, request);
  } catch (error) {
    send(ctx.engine, res, toErrorReply(error));
    return;
  }
  await serveRoute(ctx, route, req, res);
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

/** Writes a reply with a `Date` header from the server's clock (offset included), as GCS's clock is. */
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
  res.writeHead(reply.status, headers);
  res.end(payload);
}
