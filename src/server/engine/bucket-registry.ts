import { applySettings, type BucketSettings } from './bucket-config.js';
import { checkBucketPreconditions, grantedPermissions, newBucket } from './bucket-ops.js';
import { EngineError, notFound } from './engine-error.js';
import { checkPermission } from './guards.js';
import type { BucketPreconditions, EngineBucket, EngineChange } from './types.js';

/**
 * The bucket half of the engine: the buckets, their settings and the server clock. `StorageEngine`
 * adds the objects.
 */
export class BucketRegistry {
  protected readonly buckets = new Map<string, EngineBucket>();
  readonly #onChange: ((change: EngineChange) => void) | undefined;
  /** Added to the host clock to give the server's clock. */
  clockOffsetMs: number;

  constructor(clockOffsetMs: number, onChange: ((change: EngineChange) => void) | undefined) {
    this.clockOffsetMs = clockOffsetMs;
    this.#onChange = onChange;
  }

  protected emit(change: EngineChange): void {
    this.#onChange?.(change);
  }

  /** The server's clock, ms since the epoch. */
  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  createBucket(name: string, settings: Partial<BucketSettings> = {}): EngineBucket {
    const bucket = newBucket(name, settings, this.now());
    if (this.buckets.has(name)) {
      throw new EngineError(409, 'conflict', 'The requested bucket name is not available.');
    }
    this.buckets.set(name, bucket);
    this.emit({ kind: 'bucket', bucket });
    return bucket;
  }

  getBucket(name: string): EngineBucket {
    const bucket = this.buckets.get(name);
    if (!bucket) throw notFound('bucket');
    return bucket;
  }

  /** The bucket as a caller reads it: needs `storage.buckets.get`, and honours metageneration conditions. */
  describeBucket(name: string, preconditions: BucketPreconditions = {}): EngineBucket {
    const bucket = this.getBucket(name);
    checkPermission(bucket, 'storage.buckets.get');
    checkBucketPreconditions(bucket, preconditions);
    return bucket;
  }

  /**
   * Changes a bucket's settings (a `buckets.patch`, or a `buckets.update` with every setting given):
   * needs `storage.buckets.update`, bumps the metageneration, and is refused whole on any bad value.
   */
  updateBucket(
    name: string,
    changes: Partial<BucketSettings>,
    preconditions: BucketPreconditions = {},
  ): EngineBucket {
    const bucket = this.getBucket(name);
    checkPermission(bucket, 'storage.buckets.update');
    checkBucketPreconditions(bucket, preconditions);
    bucket.settings = applySettings(bucket.settings, changes);
    bucket.metageneration += 1n;
    bucket.updated = Math.max(this.now(), bucket.updated);
    this.emit({ kind: 'bucket', bucket });
    return bucket;
  }

  /**
   * Sets the permissions refused on a bucket (a test knob, not a GCS call): no metageneration bump.
   * `setDeniedPermissions('b', [])` grants everything again.
   */
  setDeniedPermissions(name: string, permissions: readonly string[]): EngineBucket {
    const bucket = this.getBucket(name);
    bucket.settings = applySettings(bucket.settings, { deniedPermissions: [...permissions] });
    this.emit({ kind: 'bucket', bucket });
    return bucket;
  }

  /** `testIamPermissions`: the subset of `permissions` the caller holds on the bucket (all but the denied). */
  testPermissions(name: string, permissions: readonly string[]): string[] {
    return grantedPermissions(this.getBucket(name), permissions);
  }

  listBuckets(): EngineBucket[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }
}
