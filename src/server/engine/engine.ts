import { createHash } from 'node:crypto';
import type { Preconditions } from '../../store/object-store.js';
import { objectNameProblem } from '../../util/names.js';
import { BucketRegistry } from './bucket-registry.js';
import { composeSources, type ComposeSource } from './compose.js';
import { crc32cBase64 } from './crc32c.js';
import { EngineError, invalid } from './engine-error.js';
import { generationsFor, type Generations } from './generations.js';
import { checkPermission, checkRemovable } from './guards.js';
import { listObjects, type ListOptions, type ListResult } from './list.js';
import { checkMetadata, mergeMetadata } from './metadata.js';
import { checkPreconditions } from './preconditions.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import type { EngineBucket, EngineObject, EngineOptions, ObjectContent, ObjectPatch } from './types.js';
import { archive, dropNoncurrent, findVersion, parseGeneration, replaceNoncurrent } from './versions.js';

export type { ListOptions, ListResult } from './list.js';
export type {
  BucketPreconditions,
  BucketSpec,
  EngineBucket,
  EngineChange,
  EngineObject,
  EngineOptions,
  ObjectContent,
  ObjectPatch,
} from './types.js';
export type { BucketSettings, LifecycleRule } from './bucket-config.js';
export type { ComposeSource } from './compose.js';
export { MAX_METADATA_BYTES, MAX_METADATA_KEY_BYTES, MAX_METADATA_VALUE_BYTES } from './metadata.js';

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
export class StorageEngine extends BucketRegistry {
  readonly #generations: Generations;
  #rateLimiter: RateLimiter | undefined;
  constructor(options: EngineOptions = {}) {
    super(options.clockOffsetMs ?? 0, options.onChange);
    this.#generations = generationsFor(options.generations ?? 'increasing');
    this.setRateLimit(options.rateLimit ?? false);
    for (const spec of options.buckets ?? []) {
      if (typeof spec === 'string') this.createBucket(spec);
      else {
        const { name, ...settings } = spec;
        this.createBucket(name, settings);
      }
    }
  }

  /** Turns the per-object mutation limit on (with its rate) or off. */
  setRateLimit(limit: RateLimit | false): void {
    this.#rateLimiter = limit ? new RateLimiter(limit) : undefined;
  }

  insertObject(
    bucketName: string,
    name: string,
    content: ObjectContent,
    preconditions?: Preconditions,
  ): EngineObject {
    const bucket = this.getBucket(bucketName);
    checkPermission(bucket, 'storage.objects.create');
    checkObjectName(name);
    const metadata = { ...(content.metadata ?? {}) };
    checkMetadata(metadata);
    return this.#write(bucket, name, preconditions, (generation, now) => ({
      bucket: bucketName,
      name,
      generation,
      metageneration: 1n,
      data: content.data,
      contentType: content.contentType ?? 'application/octet-stream',
      metadata,
      timeCreated: now,
      updated: now,
      md5Hash: createHash('md5').update(content.data).digest('base64'),
      crc32c: crc32cBase64(content.data),
    }));
  }

  /**
   * `objects.compose`: concatenates up to 32 sources of one bucket into `name`, atomically: every
   * source precondition and the destination's preconditions hold, or nothing changes. The result is
   * a composite object (CRC32C of the concatenation, no MD5, `componentCount`).
   */
  composeObject(
    bucketName: string,
    name: string,
    sources: readonly ComposeSource[],
    destination: Omit<ObjectContent, 'data'> = {},
    preconditions?: Preconditions,
  ): EngineObject {
    const bucket = this.getBucket(bucketName);
    checkPermission(bucket, 'storage.objects.create');
    checkPermission(bucket, 'storage.objects.get');
    checkObjectName(name);
    const metadata = { ...(destination.metadata ?? {}) };
    checkMetadata(metadata);
    const { data, componentCount } = composeSources(bucket, sources);
    return this.#write(bucket, name, preconditions, (generation, now) => ({
      bucket: bucketName,
      name,
      generation,
      metageneration: 1n,
      data,
      contentType: destination.contentType ?? 'application/octet-stream',
      metadata,
      timeCreated: now,
      updated: now,
      crc32c: crc32cBase64(data),
      componentCount,
    }));
  }

  /** A version's metadata (the live one unless `generation` names another); needs `storage.objects.get`. */
  getObject(
    bucketName: string,
    name: string,
    preconditions?: Preconditions,
    generation?: string | bigint,
  ): EngineObject {
    const bucket = this.getBucket(bucketName);
    checkPermission(bucket, 'storage.objects.get');
    const object = findVersion(bucket, name, parseGeneration(generation));
    checkPreconditions(object, preconditions);
    return object;
  }

  /** Like `getObject` on the live version, but `undefined` when there is none (a missing bucket still throws). */
  findObject(bucketName: string, name: string, preconditions?: Preconditions): EngineObject | undefined {
    const bucket = this.getBucket(bucketName);
    checkPermission(bucket, 'storage.objects.get');
    const object = bucket.objects.get(name);
    if (object) checkPreconditions(object, preconditions);
    return object;
  }

  patchObject(
    bucketName: string,
    name: string,
    patch: ObjectPatch,
    preconditions?: Preconditions,
    generation?: string | bigint,
  ): EngineObject {
    const bucket = this.getBucket(bucketName);
    checkPermission(bucket, 'storage.objects.update');
    const current = findVersion(bucket, name, parseGeneration(generation));
    checkPreconditions(current, preconditions);
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
    if (patch.eventBasedHold !== undefined) object.eventBasedHold = patch.eventBasedHold;
    if (current.timeDeleted === undefined) {
      bucket.objects.set(name, object);
      this.emit({ kind: 'put', object });
    } else {
      replaceNoncurrent(bucket, object);
      this.emit({ kind: 'noncurrent', object });
    }
    return object;
  }

  /**
   * Deletes the live version (kept as noncurrent in a versioned bucket), or with `generation` that
   * version for good, live or noncurrent, as GCS does when a delete names a generation.
   */
  deleteObject(
    bucketName: string,
    name: string,
    preconditions?: Preconditions,
    generation?: string | bigint,
  ): void {
    const bucket = this.getBucket(bucketName);
    checkPermission(bucket, 'storage.objects.delete');
    const wanted = parseGeneration(generation);
    const current = findVersion(bucket, name, wanted);
    checkPreconditions(current, preconditions);
    const keep = wanted === undefined && bucket.settings.versioning;
    if (!keep) checkRemovable(bucket, current, this.now());
    this.#takeWriteToken(bucketName, name);
    if (current.timeDeleted !== undefined) {
      dropNoncurrent(bucket, name, current.generation);
      this.emit({ kind: 'delete-version', bucket: bucketName, name, generation: current.generation });
      return;
    }
    bucket.objects.delete(name);
    if (keep) this.emit({ kind: 'noncurrent', object: archive(bucket, current, this.now()) });
    this.emit({ kind: 'delete', bucket: bucketName, name });
  }

  /** One page of a listing; with `versions: true`, noncurrent versions too. Needs `storage.objects.list`. */
  listObjects(bucketName: string, options: ListOptions = {}): ListResult {
    const bucket = this.getBucket(bucketName);
    checkPermission(bucket, 'storage.objects.list');
    return listObjects(bucket.objects, options, bucket.noncurrent);
  }

  /** Restores an object exactly as persisted (generation included), for state that survives a restart. */
  restoreObject(object: EngineObject): void {
    const bucket = this.buckets.get(object.bucket) ?? this.createBucket(object.bucket);
    if (object.timeDeleted === undefined) bucket.objects.set(object.name, object);
    else replaceNoncurrent(bucket, object);
    this.#generations.note(object.generation);
  }

  /** The highest generation handed out: persisted, so a restart never reuses a deleted version's number. */
  get lastGeneration(): bigint {
    return this.#generations.last;
  }

  /**
   * Makes every later generation exceed `generation` (with increasing generations). A restored
   * snapshot no longer holds deleted objects, yet a stale client may still hold their generations in
   * `ifGenerationMatch`: reusing one after a restart (say with an earlier clock) would let that
   * client's condition match a new object.
   */
  restoreGeneration(generation: bigint): void {
    this.#generations.note(generation);
  }

  /** Deletes every object version in every bucket; buckets and their settings stay. */
  clearObjects(): void {
    for (const bucket of this.buckets.values()) {
      bucket.objects.clear();
      bucket.noncurrent.clear();
    }
  }

  /**
   * The one way a new live version is written (insert, compose): checks the destination's
   * preconditions, its delete permission and protections when one is replaced, takes a rate-limit
   * token, then swaps it in, keeping the old one as noncurrent in a versioned bucket.
   */
  #write(
    bucket: EngineBucket,
    name: string,
    preconditions: Preconditions | undefined,
    build: (generation: bigint, now: number) => EngineObject,
  ): EngineObject {
    const current = bucket.objects.get(name);
    checkPreconditions(current, preconditions);
    if (current) {
      // Replacing an object deletes the old version: GCS asks for storage.objects.delete too.
      checkPermission(bucket, 'storage.objects.delete');
      if (!bucket.settings.versioning) checkRemovable(bucket, current, this.now());
    }
    this.#takeWriteToken(bucket.name, name);
    const now = this.now();
    const object = build(this.#generations.next(now), now);
    if (bucket.settings.defaultEventBasedHold) object.eventBasedHold = true;
    if (current && bucket.settings.versioning) {
      this.emit({ kind: 'noncurrent', object: archive(bucket, current, now) });
    }
    bucket.objects.set(name, object);
    this.emit({ kind: 'put', object });
    return object;
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
