import { StorageError } from '../errors/storage-error.js';
import { sleep } from '../util/clock.js';
import type { EngineBucket, EngineObject } from '../server/engine/engine.js';
import { StorageEngine, type EngineOptions } from '../server/engine/engine.js';
import { EngineError } from '../server/engine/engine-error.js';
import { FaultPlan, type Operation } from '../server/fault-plan.js';
import type {
  BucketInfo,
  BucketRequest,
  ComposeRequest,
  ComposeSource,
  InsertRequest,
  ListPage,
  ListRequest,
  ObjectStore,
  Observed,
  RequestOptions,
  StoredObject,
} from '../store/object-store.js';

/**
 * How to build a `MemoryStore`: the engine's options (buckets, rate limit, clock offset), or a shared engine, and a fault plan.
 *
 * @example
 * ```ts
 * // Two stores over one engine: two "machines" that see the same bucket.
 * const engine = new StorageEngine({ buckets: ['test'] });
 * const machineA = new MemoryStore({ engine });
 * const machineB = new MemoryStore({ engine, faults: new FaultPlan() });
 * ```
 */
export interface MemoryStoreOptions extends EngineOptions {
  /** Share one engine between several stores (several "machines" seeing one bucket). */
  engine?: StorageEngine;
  /** Faults to inject; `store.faults` when not given. */
  faults?: FaultPlan;
}

/**
 * Requests made through a store, by operation: for tests that count what the lock costs.
 *
 * @example
 * ```ts
 * const store = new MemoryStore({ buckets: ['test'] });
 * await new Lock('gs://test/job', { store }).run(async () => {});
 * console.log(store.requests); // { insert: 1, get: 0, patch: 0, delete: 1, list: 0, bucket: 0 }
 * ```
 */
export type RequestCounts = Record<Operation, number>;

/**
 * An in-process `ObjectStore` with exactly GCS's precondition semantics (the local server's engine,
 * without HTTP), for fast unit tests of code that uses gcs-lock. Works under fake timers: without
 * injected latency, no request waits for a timer. The `Date` it reports has GCS's whole-second
 * resolution.
 *
 * @example
 * ```ts
 * import { Lock } from 'gcs-lock';
 * import { MemoryStore } from 'gcs-lock/testing';
 *
 * const store = new MemoryStore({ buckets: ['test'] });
 * const lock = new Lock('gs://test/job', { store });
 * await lock.run(async () => {  });
 * ```
 */
export class MemoryStore implements ObjectStore {
  /** The model behind the store: inspect or change state directly, set `clockOffsetMs`. */
  readonly engine: StorageEngine;
  /** The fault plan; add rules to make requests fail. */
  readonly faults: FaultPlan;
  /** Requests made through this store, by operation. */
  readonly requests: RequestCounts = { insert: 0, get: 0, patch: 0, delete: 0, list: 0, bucket: 0 };

  constructor(options: MemoryStoreOptions = {}) {
    this.engine = options.engine ?? new StorageEngine(options);
    this.faults = options.faults ?? new FaultPlan();
  }

  /** Total requests made through this store. */
  get requestCount(): number {
    return Object.values(this.requests).reduce((sum, count) => sum + count, 0);
  }

  async insert(bucket: string, name: string, request: InsertRequest): Promise<Observed<StoredObject>> {
    return this.#call('insert', 'POST', bucket, name, request, () =>
      toStored(
        this.engine.insertObject(
          bucket,
          name,
          {
            data: Buffer.from(request.body),
            contentType: request.contentType ?? 'application/json',
            metadata: { ...request.metadata },
          },
          request.preconditions,
        ),
      ),
    );
  }

  async get(
    bucket: string,
    name: string,
    request: RequestOptions = {},
  ): Promise<Observed<StoredObject | null>> {
    return this.#call('get', 'GET', bucket, name, request, () => {
      // A missing bucket is an error (404); only a missing object reads as a free lock.
      const object = this.engine.findObject(bucket, name, request.preconditions);
      return object ? toStored(object) : null;
    });
  }

  async patchMetadata(
    bucket: string,
    name: string,
    metadata: Readonly<Record<string, string | null>>,
    request: RequestOptions = {},
  ): Promise<Observed<StoredObject>> {
    return this.#call('patch', 'PATCH', bucket, name, request, () =>
      toStored(this.engine.patchObject(bucket, name, { metadata: { ...metadata } }, request.preconditions)),
    );
  }

  async delete(bucket: string, name: string, request: RequestOptions = {}): Promise<void> {
    await this.#call('delete', 'DELETE', bucket, name, request, () => {
      this.engine.deleteObject(bucket, name, request.preconditions);
      return undefined;
    });
  }

  async list(bucket: string, request: ListRequest = {}): Promise<ListPage> {
    const { object, serverTime } = await this.#call(
      'list',
      'GET',
      bucket,
      request.prefix ?? '',
      request,
      () => {
        const result = this.engine.listObjects(bucket, {
          ...(request.prefix !== undefined && { prefix: request.prefix }),
          // An empty token is the first page, as the server (and GCS) read `pageToken=`.
          ...(request.pageToken !== undefined &&
            request.pageToken !== '' && { pageToken: request.pageToken }),
          ...(request.maxResults !== undefined && { maxResults: request.maxResults }),
        });
        return { items: result.items.map(toStored), nextPageToken: result.nextPageToken };
      },
    );
    return { ...object, serverTime };
  }

  async compose(
    bucket: string,
    destination: string,
    sources: readonly ComposeSource[],
    request: ComposeRequest = {},
  ): Promise<Observed<StoredObject>> {
    return this.#call('insert', 'POST', bucket, destination, request, () =>
      toStored(
        this.engine.composeObject(
          bucket,
          destination,
          sources.map((source) => ({ ...source })),
          {
            ...(request.contentType === undefined ? {} : { contentType: request.contentType }),
            ...(request.metadata === undefined ? {} : { metadata: { ...request.metadata } }),
          },
          request.preconditions,
        ),
      ),
    );
  }

  async getBucket(bucket: string, request: BucketRequest = {}): Promise<Observed<BucketInfo>> {
    return this.#call('bucket', 'GET', bucket, '', request, () =>
      toBucketInfo(this.engine.describeBucket(bucket)),
    );
  }

  async testIamPermissions(
    bucket: string,
    permissions: readonly string[],
    request: BucketRequest = {},
  ): Promise<string[]> {
    const { object } = await this.#call('bucket', 'GET', bucket, '', request, () =>
      this.engine.testPermissions(bucket, permissions),
    );
    return object;
  }

  /** GCS's `Date` header: whole seconds, rounded down. */
  #serverTime(): number {
    return Math.floor(this.engine.now() / 1000) * 1000;
  }

  async #call<T>(
    op: Operation,
    method: string,
    bucket: string,
    name: string,
    request: { signal?: AbortSignal },
    apply: () => T,
  ): Promise<Observed<T>> {
    this.requests[op] += 1;
    const operation = `${method} gs://${bucket}/${name}`;
    const decision = this.faults.decide({ op, bucket, object: name });
    if (decision.delayMs > 0) await sleep(decision.delayMs, request.signal);
    else await Promise.resolve();
    request.signal?.throwIfAborted();
    switch (decision.outcome) {
      case 'error':
        throw new StorageError(operation, decision.status, `injected HTTP ${decision.status}`, {
          reason: decision.status === 429 ? 'rateLimitExceeded' : 'backendError',
        });
      case 'reset':
        throw new StorageError(operation, undefined, 'connection reset (injected)');
      case 'stall':
        await sleep(decision.stallMs ?? 30_000, request.signal);
        throw new StorageError(operation, undefined, 'connection dropped after a stall (injected)');
      default:
        break;
    }
    let object: T;
    try {
      object = apply();
    } catch (error) {
      // The HTTP server drops the connection on commit-then-drop whatever the engine answered, so a
      // refusal is lost in transit too: the caller sees a transport failure either way.
      if (decision.outcome === 'commit-then-drop') throw dropped(operation);
      if (error instanceof EngineError) {
        throw new StorageError(operation, error.status, error.message, {
          reason: error.reason,
          cause: error,
        });
      }
      throw error;
    }
    if (decision.outcome === 'commit-then-drop') throw dropped(operation);
    return { object, serverTime: this.#serverTime() };
  }
}

export function toStored(object: EngineObject): StoredObject {
  return {
    bucket: object.bucket,
    name: object.name,
    generation: object.generation.toString(),
    metageneration: object.metageneration.toString(),
    timeCreated: object.timeCreated,
    updated: object.updated,
    metadata: { ...object.metadata },
  };
}

function toBucketInfo(bucket: EngineBucket): BucketInfo {
  const { settings } = bucket;
  return {
    name: bucket.name,
    storageClass: settings.storageClass,
    location: settings.location,
    versioning: settings.versioning,
    softDeleteRetentionSeconds: settings.softDeleteRetentionSeconds,
    retentionPeriodSeconds: settings.retentionPeriodSeconds,
    defaultEventBasedHold: settings.defaultEventBasedHold,
    lifecycleRules: structuredClone(settings.lifecycleRules),
    requesterPays: settings.requesterPays,
    uniformBucketLevelAccess: settings.uniformBucketLevelAccess,
    metageneration: bucket.metageneration.toString(),
  };
}

function dropped(operation: string): StorageError {
  return new StorageError(operation, undefined, 'connection reset after the change was applied (injected)');
}
