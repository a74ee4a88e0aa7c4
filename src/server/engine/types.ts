import type { Preconditions } from '../../store/object-store.js';
import type { BucketSettings } from './bucket-config.js';
import type { GenerationOrder } from './generations.js';
import type { RateLimit } from './rate-limiter.js';

/** One object version: the live one, or a noncurrent one (with `timeDeleted`) in a versioned bucket. */
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
  /** Absent for a composite object: GCS computes no MD5 for those. */
  md5Hash?: string;
  crc32c: string;
  /** For a composite object: how many simple objects it was built from. */
  componentCount?: number;
  eventBasedHold?: boolean;
  /** When the version became noncurrent; absent while it is live. */
  timeDeleted?: number;
}

export interface EngineBucket {
  name: string;
  timeCreated: number;
  updated: number;
  metageneration: bigint;
  settings: BucketSettings;
  /** The live versions, by name. */
  objects: Map<string, EngineObject>;
  /** Noncurrent versions by name, oldest first: only a versioned bucket keeps any. */
  noncurrent: Map<string, EngineObject[]>;
}

/**
 * A bucket to create at start-up: its name, or its name and settings.
 *
 * @example
 * ```ts
 * const spec: BucketSpec = { name: 'versioned', versioning: true, deniedPermissions: ['storage.objects.delete'] };
 * ```
 */
export type BucketSpec = string | ({ name: string } & Partial<BucketSettings>);

/**
 * How a `StorageEngine` starts: its buckets, an optional per-object rate limit, and its clock's offset.
 *
 * @example
 * ```ts
 * const engine = new StorageEngine({ buckets: ['test'], rateLimit: GCS_RATE_LIMIT, clockOffsetMs: -30_000 });
 * ```
 */
export interface EngineOptions {
  /** Buckets that exist from the start: names, or `{ name, ...settings }`. */
  buckets?: readonly BucketSpec[];
  /** Per-object mutation limit; `false` (the default) for none. */
  rateLimit?: RateLimit | false;
  /** Offset added to the host clock, in ms: the server's clock, as tests see it. @default 0 */
  clockOffsetMs?: number;
  /** How generations are numbered. @default 'increasing' */
  generations?: GenerationOrder;
  /** Called after every committed change, for persistence. */
  onChange?: (change: EngineChange) => void;
}

/**
 * What changed. `put` is a new or changed live version; `delete` removes the live version;
 * `noncurrent` keeps (or changes) a noncurrent version; `delete-version` removes one for good.
 */
export type EngineChange =
  | { kind: 'bucket'; bucket: EngineBucket }
  | { kind: 'put'; object: EngineObject }
  | { kind: 'delete'; bucket: string; name: string }
  | { kind: 'noncurrent'; object: EngineObject }
  | { kind: 'delete-version'; bucket: string; name: string; generation: bigint };

export interface ObjectPatch {
  /** Custom metadata to merge; a `null` value removes the key, a `null` map removes them all. */
  metadata?: Record<string, string | null> | null;
  contentType?: string;
  eventBasedHold?: boolean;
}

/** What an insert or a compose writes. */
export interface ObjectContent {
  data: Buffer;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** Only the metageneration preconditions apply to a bucket. */
export type BucketPreconditions = Pick<Preconditions, 'ifMetagenerationMatch' | 'ifMetagenerationNotMatch'>;
