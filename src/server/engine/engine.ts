import { createHash } from 'node:crypto';
import type { Preconditions } from '../../store/object-store.js';
import { bucketNameProblem, objectNameProblem } from '../../util/names.js';
import { crc32cBase64 } from './crc32c.js';
import { EngineError, invalid, notFound } from './engine-error.js';
import { checkPreconditions } from './preconditions.js';
import { listObjects, type ListOptions, type ListResult } from './list.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';

export type { ListOptions, ListResult } from './list.js';

/** One live object version. */
export interface EngineObject {
  bucket: string;
  name: string;
  generation: bigint;
  metageneration: bigint;
  data: Buffer;
  contentType: string;
  metadata: Record<string, string>;
  /** Server clock, ms since the epoch. */
  timeCreated: number;
  updated: number;
  md5Hash: string;
  crc32c: string;
}

export interface EngineBucket {
  name: string;
  timeCreated: number;
  objects: Map<string, EngineObject>;
}

/**
 * How a `StorageEngine` starts: its buckets, an optional per-object rate limit, and its clock's offset.
 *
 * @example
 * ```ts
 * const engine = new StorageEngine({ buckets: ['test'], rateLimit: GCS_RATE_LIMIT, clockOffsetMs: -30_000 });
 * ```
 */
export interface EngineOptions {
  /** Buckets that exist from the start. */
  buckets?: readonly string[];
  /** Per-object mutation limit; `false` (the default) for none. */
  rateLimit?: RateLimit | false;
  /** Offset added to the host clock, in ms: the server's clock, as tests see it. @default 0 */
  clockOffsetMs?: number;
  /** Called after every committed change, for persistence. */
  onChange?: (change: EngineChange) => void;
}

export type EngineChange =
  | { kind: 'bucket'; bucket: EngineBucket }
  | { kind: 'put'; object: EngineObject }
  | { kind: 'delete'; bucket: string; name: string };

export interface ObjectPatch {
  /** Custom metadata to merge; a `null` value removes the key, a `null` map removes them all. */
  metadata?: Record<string, string | null> | null;
  contentType?: string;
}

/** GCS's limit on custom metadata: 8 KiB in all, keys and values counted in UTF-8 bytes. */
export const MAX_METADATA_BYTES = 8 * 1024;
/** And at most 1 KiB per key, 4 KiB per value. */
export const MAX_METADATA_KEY_BYTES = 1024;
export const MAX_METADATA_VALUE_BYTES = 4 * 1024;

/**
 * GCS's object semantics in memory: buckets, objects, generations, metagenerations and the four
 * preconditions. Every method is synchronous, so each check-and-change is atomic by construction:
 * twenty concurrent `ifGenerationMatch=0` inserts give exactly one success. The HTTP server and
 * `MemoryStore` are both thin layers over this one model.
 *
 * @example
 * ```ts
 * const engine = new StorageEngine({ buckets: ['test'] });
 * const store = new MemoryStore({ engine });
 * await new Lock('gs://test/job', { store }).acquire();
 * console.log(engine.getBucket('test').objects.get('job')?.generation);
 * ```
 */
export class StorageEngine {
  readonly #buckets = new Map<string, EngineBucket>();
  readonly #onChange: ((change: EngineChange) => void) | undefined;
  #rateLimiter: RateLimiter | undefined;
  #lastGeneration = 0n;
  /** Added to the host clock to give the server's clock. */
  clockOffsetMs: number;

  constructor(options: EngineOptions = {}) {
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.#onChange = options.onChange;
    this.setRateLimit(options.rateLimit ?? false);
    for (const bucket of options.buckets ?? []) this.createBucket(bucket);
  }

  /** The server's clock, ms since the epoch. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  /** Turns the per-object mutation limit on (with its rate) or off. */
  setRateLimit(limit: RateLimit | false): void {
    this.#rateLimiter = limit ? new RateLimiter(limit) : undefined;
  }

  createBucket(name: string): EngineBucket {
    const problem = bucketNameProblem(name);
    if (problem) throw invalid(`Invalid bucket name: '${name}': ${problem}.`);
    if (this.#buckets.has(name)) {
      throw new EngineError(409, 'conflict', 'The requested bucket name is not available.');
    }
    const bucket: EngineBucket = { name, timeCreated: this.now(), objects: new Map() };
    this.#buckets.set(name, bucket);
    this.#onChange?.({ kind: 'bucket', bucket });
    return bucket;
  }

  getBucket(name: string): EngineBucket {
    const bucket = this.#buckets.get(name);
    if (!bucket) throw notFound('bucket');
    return bucket;
  }

  listBuckets(): EngineBucket[] {
    return [...this.#buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  insertObject(
    bucketName: string,
    name: string,
    content: { data: Buffer; contentType?: string; metadata?: Record<string, string> },
    preconditions?: Preconditions,
  ): EngineObject {
    const bucket = this.getBucket(bucketName);
    checkObjectName(name);
    const metadata = { ...(content.metadata ?? {}) };
    checkMetadata(metadata);
    const current = bucket.objects.get(name);
    checkPreconditions(current, preconditions);
    this.#takeWriteToken(bucketName, name);
    const now = this.now();
    const object: EngineObject = {
      bucket: bucketName,
      name,
      generation: this.#nextGeneration(now),
      metageneration: 1n,
      data: content.data,
      contentType: content.contentType ?? 'application/octet-stream',
      metadata,
      timeCreated: now,
      updated: now,
      md5Hash: createHash('md5').update(content.data).digest('base64'),
      crc32c: crc32cBase64(content.data),
    };
    bucket.objects.set(name, object);
    this.#onChange?.({ kind: 'put', object });
    return object;
  }

  getObject(bucketName: string, name: string, preconditions?: Preconditions): EngineObject {
    const object = this.getBucket(bucketName).objects.get(name);
    if (!object) throw notFound('object');
    checkPreconditions(object, preconditions);
    return object;
  }

  patchObject(
    bucketName: string,
    name: string,
    patch: ObjectPatch,
    preconditions?: Preconditions,
  ): EngineObject {
    const current = this.getObject(bucketName, name, preconditions);
    const metadata = mergeMetadata(current.metadata, patch.metadata);
    checkMetadata(metadata);
    this.#takeWriteToken(bucketName, name);
    const object: EngineObject = {
      ...current,
      metadata,
      contentType: patch.contentType ?? current.contentType,
      metageneration: current.metageneration + 1n,
      updated: Math.max(this.now(), current.updated),
    };
    this.getBucket(bucketName).objects.set(name, object);
    this.#onChange?.({ kind: 'put', object });
    return object;
  }

  deleteObject(bucketName: string, name: string, preconditions?: Preconditions): void {
    this.getObject(bucketName, name, preconditions);
    this.#takeWriteToken(bucketName, name);
    this.getBucket(bucketName).objects.delete(name);
    this.#onChange?.({ kind: 'delete', bucket: bucketName, name });
  }

  listObjects(bucketName: string, options: ListOptions = {}): ListResult {
    return listObjects(this.getBucket(bucketName).objects, options);
  }

  /** Restores an object exactly as persisted (generation included), for state that survives a restart. */
  restoreObject(object: EngineObject): void {
    const bucket = this.#buckets.get(object.bucket) ?? this.createBucket(object.bucket);
    bucket.objects.set(object.name, object);
    if (object.generation > this.#lastGeneration) this.#lastGeneration = object.generation;
  }

  /** The last generation handed out: persisted, so a restart never reuses a deleted version's number. */
  get lastGeneration(): bigint {
    return this.#lastGeneration;
  }

  /**
   * Makes every later generation exceed `generation`. A restored snapshot no longer holds deleted
   * objects, yet a stale client may still hold their generations in `ifGenerationMatch`: reusing one
   * after a restart (say with an earlier clock) would let that client's condition match a new object.
   */
  restoreGeneration(generation: bigint): void {
    if (generation > this.#lastGeneration) this.#lastGeneration = generation;
  }

  /**
   * Generations are unique and strictly increasing across the whole server, microsecond-like as
   * GCS's are (milliseconds × 1000, bumped by one when two changes share a millisecond).
   */
  #nextGeneration(now: number): bigint {
    const candidate = BigInt(Math.floor(now)) * 1000n;
    this.#lastGeneration = candidate > this.#lastGeneration ? candidate : this.#lastGeneration + 1n;
    return this.#lastGeneration;
  }

  #takeWriteToken(bucket: string, name: string): void {
    if (this.#rateLimiter && !this.#rateLimiter.take(`${bucket}/${name}`, this.now())) {
      throw new EngineError(
        429,
        'rateLimitExceeded',
        'The object exceeded the rate limit for object mutation operations (create, update, and delete).',
      );
    }
  }
}

function checkObjectName(name: string): void {
  const problem = objectNameProblem(name);
  if (problem) throw invalid(`The object name ${JSON.stringify(name)} is invalid: it ${problem}.`);
}

function checkMetadata(metadata: Record<string, string>): void {
  let bytes = 0;
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string')
      throw invalid(`Invalid value for metadata key '${key}': must be a string.`);
    const keyBytes = Buffer.byteLength(key);
    const valueBytes = Buffer.byteLength(value);
    if (keyBytes > MAX_METADATA_KEY_BYTES) {
      throw invalid(`Metadata key is too large: ${keyBytes} bytes, the limit is ${MAX_METADATA_KEY_BYTES}.`);
    }
    if (valueBytes > MAX_METADATA_VALUE_BYTES) {
      throw invalid(
        `Metadata value for '${key}' is too large: ${valueBytes} bytes, the limit is ${MAX_METADATA_VALUE_BYTES}.`,
      );
    }
    bytes += keyBytes + valueBytes;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw invalid(
      `Metadata part is too large: ${bytes} bytes of custom metadata, the limit is ${MAX_METADATA_BYTES}.`,
    );
  }
}

function mergeMetadata(
  current: Record<string, string>,
  patch: Record<string, string | null> | null | undefined,
): Record<string, string> {
  if (patch === undefined) return current;
  if (patch === null) return {};
  // A Map, then fromEntries: plain assignment of a key such as "__proto__" would hit the prototype
  // setter and silently drop it.
  const merged = new Map(Object.entries(current));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) merged.delete(key);
    else merged.set(key, value);
  }
  return Object.fromEntries(merged);
}
