import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkClockOffset } from './clock-offset.js';
import { handleControl, type ControlTarget } from './control.js';
import { admitControlRequest } from './control-guard.js';
import { StorageEngine, type BucketSpec } from './engine/engine.js';
import type { GenerationOrder } from './engine/generations.js';
import type { RateLimit } from './engine/rate-limiter.js';
import { FaultPlan } from './fault-plan.js';
import { ByteBudget } from './http/budget.js';
import { guardConnections, isRefused, timeoutOptions } from './http/connections.js';
import { handleRequest, type HandlerContext } from './http/handler.js';
import { Holds } from './http/holds.js';
import { ResumableSessions } from './http/resumable.js';
import { resolveLimits, type ServerLimits } from './limits.js';
import { Persistence } from './persistence.js';

/**
 * How to start a local GCS server. Options map to flags of `gcs-lock emulator` (`generations` and bucket
 * settings have no flag yet).
 * @example
 * await startServer({ port: 4443, buckets: ['demo'], rateLimit: GCS_RATE_LIMIT, dataDir: '.gcs-data' });
 */
export interface ServerOptions {
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Interface to listen on. @default '127.0.0.1' */
  host?: string;
  /**
   * Buckets that exist from the start (others can be created with `POST /storage/v1/b`): names, or
   * `{ name, versioning, retentionPeriodSeconds, deniedPermissions, ... }`. @default []
   */
  buckets?: readonly BucketSpec[];
  /** Per-object mutation limit (429 `rateLimitExceeded` beyond it); `GCS_RATE_LIMIT` is GCS's. @default false */
  rateLimit?: RateLimit | false;
  /**
   * Added to the host clock for `Date`, `timeCreated`, `updated` and generations; at most a year
   * either way (`MAX_CLOCK_OFFSET_MS`). @default 0
   */
  clockOffsetMs?: number;
  /** Directory where state is kept across restarts (an append-only log); in memory only when absent. @default undefined */
  dataDir?: string;
  /** The fault plan to apply to every GCS request; a new empty one when absent. @default new FaultPlan() */
  faults?: FaultPlan;
  /**
   * How generations are numbered: `'increasing'` (microsecond-like, as GCS's are in practice) or
   * `'unordered'` (unique random 16-digit numbers, as GCS's documentation allows). @default 'increasing'
   */
  generations?: GenerationOrder;
  /** Bounds on memory, connections and waiting; see `ServerLimits` for each default. @default DEFAULT_LIMITS */
  limits?: Partial<ServerLimits>;
  /**
   * The control endpoint under `/_gcs-lock/`: `true` serves it to local callers, `false` removes it
   * (its paths are then 404 like any path GCS does not serve), `{ token }` serves it only to requests
   * with `Authorization: Bearer <token>`. @default true
   */
  control?: boolean | { token: string };
}

/**
 * A running server: its address and its controls. Close it with `close()` or `await using`.
 *
 * @example
 * ```ts
 * await using server = await startServer({ buckets: ['test'] });
 * server.setClockOffset(90_000); // the server's clock runs 90 s ahead: leases look older
 * const lock = new Lock('gs://test/job', { endpoint: server.url });
 * ```
 */
export interface RunningServer extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:4443`: the value for `STORAGE_EMULATOR_HOST` or `apiEndpoint`. */
  readonly url: string;
  readonly port: number;
  /** The in-memory model behind the server. */
  readonly engine: StorageEngine;
  /** The fault plan every GCS request goes through. */
  readonly faults: FaultPlan;
  /** The bounds in force, defaults filled in. */
  readonly limits: Readonly<ServerLimits>;
  /** Sets the server clock's offset from the host clock, in ms (at most a year either way). */
  setClockOffset(ms: number): void;
  /** Turns the per-object mutation limit on (with its rate) or off (`false`). */
  setRateLimit(limit: RateLimit | false): void;
  /** Deletes every object and upload session, clears fault rules and their counts; buckets stay. */
  reset(): void;
  /** What the server holds now: open connections, buffered bytes and open upload sessions. */
  stats(): { connections: number; bufferedBytes: number; uploadSessions: number };
  /**
   * Stops listening, ends stalled and kept-alive connections at once, and writes what is left to
   * save. Rejects if the state in `dataDir` could not be saved: a save that failed is never reported
   * as done.
   */
  close(): Promise<void>;
}

/**
 * Starts a GCS-compatible server (the JSON API subset the lock, gcloud and the official clients use)
 * with exact preconditions, an optional rate limit, fault injection and a control endpoint under
 * `/_gcs-lock/`, within bounds on memory, connections and time (`ServerLimits`).
 * @example
 * await using server = await startServer({ buckets: ['locks'] });
 * process.env.STORAGE_EMULATOR_HOST = server.url;
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const limits = resolveLimits(options.limits);
  const faults = options.faults ?? new FaultPlan();
  let rateLimit: RateLimit | false = options.rateLimit ?? false;
  let persistence: Persistence | undefined;
  const model: StorageEngine = new StorageEngine({
    buckets: options.buckets ?? [],
    rateLimit,
    clockOffsetMs: checkClockOffset('clockOffsetMs', options.clockOffsetMs ?? 0),
    generations: options.generations ?? 'increasing',
    // Changes made while the log loads (restored objects) are not new: `persistence` is set after.
    onChange: (change) => persistence?.record(change),
  });
  if (options.dataDir !== undefined) persistence = await Persistence.open(options.dataDir, model);
  const budget = new ByteBudget(limits.maxBufferedBytes);
  const sessions = new ResumableSessions({ limits, budget });
  const holds = new Holds();
  const host = options.host ?? '127.0.0.1';

  const target: ControlTarget = {
    engine: model,
    faults,
    setClockOffset: (ms) => {
      model.clockOffsetMs = checkClockOffset('clock offset', ms);
    },
    setRateLimit: (limit) => {
      rateLimit = limit;
      model.setRateLimit(limit);
    },
    rateLimit: () => rateLimit,
    reset: () => {
      model.clearObjects();
      sessions.clear();
      faults.clear();
      for (const kind of Object.keys(faults.delivered) as Array<keyof typeof faults.delivered>) {
        faults.delivered[kind] = 0;
      }
      model.setRateLimit(rateLimit); // forget spent tokens
      persistence?.rewrite(); // the objects went behind the engine's back: the log is rewritten whole
    },
    persistenceFailure: () => persistence?.failure,
  };
  const control = options.control ?? true;
  const context: HandlerContext = {
    engine: model,
    faults,
    sessions,
    holds,
    limits,
    budget,
    control:
      control === false
        ? undefined
        : {
            admit: (req) =>
              admitControlRequest(req, {
                listenHost: host,
                token: control === true ? undefined : control.token,
              }),
            handle: (path, method, body) => handleControl(target, path, method, body),
          },
  };

  const server = createServer(timeoutOptions(limits), (req, res) => {
    if (isRefused(req.socket)) return; // answered 503 already: over the connection cap
    handleRequest(context, req, res).catch(() => res.destroy());
  });
  const sockets = guardConnections(server, limits, model);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error: unknown) => {
    await persistence?.close().catch(() => undefined);
    throw error;
  });
  // Idle upload sessions are swept on every upload request too; this frees their bytes when none come.
  const sweeper = setInterval(() => sessions.sweep(), Math.min(limits.uploadSessionIdleMs, 60_000));
  sweeper.unref();
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      clearInterval(sweeper);
      holds.close(); // stalls and delays end now, their sockets are dropped
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
      sessions.clear();
      await persistence?.close();
    })());

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    engine: model,
    faults,
    limits,
    setClockOffset: (ms) => target.setClockOffset(ms),
    setRateLimit: (limit) => target.setRateLimit(limit),
    reset: () => target.reset(),
    stats: () => ({ connections: sockets.size, bufferedBytes: budget.used, uploadSessions: sessions.size }),
    close,
    [Symbol.asyncDispose]: close,
  };
}
