import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleControl, type ControlTarget } from './control.js';
import { StorageEngine, type BucketSpec } from './engine/engine.js';
import type { GenerationOrder } from './engine/generations.js';
import type { RateLimit } from './engine/rate-limiter.js';
import { FaultPlan } from './fault-plan.js';
import { handleRequest } from './http/handler.js';
import { Holds } from './http/holds.js';
import { ResumableSessions } from './http/resumable.js';
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
  /** Added to the host clock for `Date`, `timeCreated`, `updated` and generations. @default 0 */
  clockOffsetMs?: number;
  /** Directory where state is kept across restarts; in memory only when absent. @default undefined */
  dataDir?: string;
  /** The fault plan to apply to every GCS request; a new empty one when absent. @default new FaultPlan() */
  faults?: FaultPlan;
  /**
   * How generations are numbered: `'increasing'` (microsecond-like, as GCS's are in practice) or
   * `'unordered'` (unique random 16-digit numbers, as GCS's documentation allows). @default 'increasing'
   */
  generations?: GenerationOrder;
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
  /** Sets the server clock's offset from the host clock, in ms. */
  setClockOffset(ms: number): void;
  /** Turns the per-object mutation limit on (with its rate) or off (`false`). */
  setRateLimit(limit: RateLimit | false): void;
  /** Deletes every object and upload session, clears fault rules and their counts; buckets stay. */
  reset(): void;
  /** Stops listening, ends stalled and kept-alive connections at once, and writes the final snapshot. */
  close(): Promise<void>;
}

/**
 * Starts a GCS-compatible server (the JSON API subset the lock and the official clients use) with
 * exact preconditions, an optional rate limit, fault injection and a control endpoint under
 * `/_gcs-lock/`.
 * @example
 * await using server = await startServer({ buckets: ['locks'] });
 * process.env.STORAGE_EMULATOR_HOST = server.url;
 */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const faults = options.faults ?? new FaultPlan();
  const persistence = options.dataDir === undefined ? undefined : new Persistence(options.dataDir);
  let rateLimit: RateLimit | false = options.rateLimit ?? false;
  // `loaded` stays false while the constructor creates the start-up buckets and load() restores the
  // snapshot: those are not changes worth a save.
  let loaded = false;
  const model: StorageEngine = new StorageEngine({
    buckets: options.buckets ?? [],
    rateLimit,
    clockOffsetMs: options.clockOffsetMs ?? 0,
    generations: options.generations ?? 'increasing',
    onChange: () => {
      if (loaded) persistence?.schedule(model);
    },
  });
  persistence?.load(model);
  loaded = true;
  const sessions = new ResumableSessions();
  const holds = new Holds();

  const target: ControlTarget = {
    engine: model,
    faults,
    setClockOffset: (ms) => {
      model.clockOffsetMs = ms;
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
      persistence?.schedule(model);
    },
  };
  const context = {
    engine: model,
    faults,
    sessions,
    holds,
    control: (path: string, method: string, body: Buffer) => handleControl(target, path, method, body),
  };

  const server = createServer({ keepAliveTimeout: 5_000 }, (req, res) => {
    handleRequest(context, req, res).catch(() => res.destroy());
  });
  server.on('clientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      holds.close(); // stalls and delays end now, their sockets are dropped
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      if (persistence) await persistence.flush(model);
    })());

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    engine: model,
    faults,
    setClockOffset: (ms) => target.setClockOffset(ms),
    setRateLimit: (limit) => target.setRateLimit(limit),
    reset: () => target.reset(),
    close,
    [Symbol.asyncDispose]: close,
  };
}
