import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a request asks GCS to do, read from its method and path. */
export type WireOp = 'insert' | 'upload-session' | 'get' | 'list' | 'patch' | 'delete' | 'compose' | 'other';

/**
 * Write-class requests: GCS bills all but DELETE as Class A (GETs and LISTs are Class B). Not every
 * one changes something: a resumable upload's session request never does, and a refused one (412,
 * 429) does not either; `mutations` counts only those that did.
 */
export const WRITE_OPS: readonly WireOp[] = ['insert', 'upload-session', 'patch', 'delete', 'compose'];
/** The write-class requests that change an object when they succeed. */
const MUTATING: readonly WireOp[] = ['insert', 'patch', 'delete', 'compose'];

export interface WireCounts {
  byOp: Record<WireOp, number>;
  byStatus: Map<number, number>;
  total: number;
  /** Write-class requests, whatever their outcome. */
  writes: number;
  /** Write-class requests that changed an object (a 2xx insert, patch, delete or compose). */
  mutations: number;
  reads: number;
  tooMany: number;
  /** Write-class requests to fair-mode tickets (`<lock>.queue/…`), not to the lock object. */
  ticketWrites: number;
  /** Of the mutations, those of tickets. */
  ticketMutations: number;
}

/**
 * A counting reverse proxy in front of the local server. The official client cannot be handed an
 * `ObjectStore`, so the one ruler that measures gcs-lock and the classic recipe alike is the wire:
 * every HTTP request, by what it asks for and how it was answered (the 429s included, which the
 * official client retries by itself and never shows its caller).
 */
export class WireCounter {
  readonly #server: Server;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  #counts: WireCounts = emptyCounts();
  url = '';

  private constructor(target: URL) {
    this.#server = createServer((req, res) => {
      const upstream = request(
        {
          host: target.hostname,
          port: target.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: this.#agent,
        },
        (answer) => {
          this.#record(req, answer.statusCode ?? 0);
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => res.destroy());
      // A client that gives up must not leave its request running upstream: the server would still
      // apply it, and the counts would disagree with what the client saw.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      req.pipe(upstream);
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  static async start(targetUrl: string): Promise<WireCounter> {
    const counter = new WireCounter(new URL(targetUrl));
    await new Promise<void>((resolve) => counter.#server.listen(0, '127.0.0.1', resolve));
    counter.url = `http://127.0.0.1:${(counter.#server.address() as AddressInfo).port}`;
    return counter;
  }

  /** The counts so far, as a copy. */
  snapshot(): WireCounts {
    const c = this.#counts;
    return { ...c, byOp: { ...c.byOp }, byStatus: new Map(c.byStatus) };
  }

  reset(): void {
    this.#counts = emptyCounts();
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    this.#agent.destroy();
    await closed;
  }

  #record(req: IncomingMessage, status: number): void {
    const op = classify(req.method ?? 'GET', req.url ?? '/');
    const c = this.#counts;
    c.byOp[op] += 1;
    c.byStatus.set(status, (c.byStatus.get(status) ?? 0) + 1);
    c.total += 1;
    if (WRITE_OPS.includes(op)) c.writes += 1;
    if (MUTATING.includes(op) && status >= 200 && status < 300) c.mutations += 1;
    if (op === 'get' || op === 'list') c.reads += 1;
    if (status === 429) c.tooMany += 1;
    if (WRITE_OPS.includes(op) && /\.queue(%2F|\/)/i.test(req.url ?? '')) {
      c.ticketWrites += 1;
      if (MUTATING.includes(op) && status >= 200 && status < 300) c.ticketMutations += 1;
    }
  }
}

/** The difference between two snapshots: the requests made in between. */
export function since(after: WireCounts, before: WireCounts): WireCounts {
  const byOp = { ...after.byOp };
  for (const op of Object.keys(byOp) as WireOp[]) byOp[op] -= before.byOp[op];
  const byStatus = new Map<number, number>();
  for (const [status, n] of after.byStatus) byStatus.set(status, n - (before.byStatus.get(status) ?? 0));
  return {
    byOp,
    byStatus,
    total: after.total - before.total,
    writes: after.writes - before.writes,
    mutations: after.mutations - before.mutations,
    reads: after.reads - before.reads,
    tooMany: after.tooMany - before.tooMany,
    ticketWrites: after.ticketWrites - before.ticketWrites,
    ticketMutations: after.ticketMutations - before.ticketMutations,
  };
}

function classify(method: string, url: string): WireOp {
  const isUpload = url.startsWith('/upload/');
  if (method === 'POST' && isUpload)
    return url.includes('uploadType=resumable') ? 'upload-session' : 'insert';
  // The resumable data request (or its status query) is what creates the object.
  if (method === 'PUT' && isUpload) return 'insert';
  if (!url.startsWith('/storage/v1/b/')) return 'other';
  const path = url.split('?')[0]!;
  if (method === 'GET' && path.endsWith('/o')) return 'list';
  if (!path.includes('/o/')) return 'other';
  if (method === 'POST' && path.endsWith('/compose')) return 'compose';
  if (method === 'GET') return 'get';
  if (method === 'PATCH') return 'patch';
  if (method === 'DELETE') return 'delete';
  return 'other';
}

function emptyCounts(): WireCounts {
  return {
    byOp: { insert: 0, 'upload-session': 0, get: 0, list: 0, patch: 0, delete: 0, compose: 0, other: 0 },
    byStatus: new Map(),
    total: 0,
    writes: 0,
    mutations: 0,
    reads: 0,
    tooMany: 0,
    ticketWrites: 0,
    ticketMutations: 0,
  };
}
