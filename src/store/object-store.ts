/**
 * The storage operations the lock needs, and nothing more. The lock's state machine speaks only this
 * interface; `GcsStore` maps it to the GCS JSON API over HTTP and `MemoryStore` (from
 * `gcs-lock/testing`) to an in-process model with the same precondition semantics.
 *
 * Every failure is thrown as a `StorageError` carrying the HTTP status (412 for a failed `*Match`
 * precondition, 304 for a failed `*NotMatch`, 404 for a missing object or bucket, 429/5xx for
 * transient trouble, `undefined` for a transport failure). Implementations never retry: retrying is
 * the lock's decision, because only the lock knows its deadlines.
 *
 * @example
 * ```ts
 * // Any ObjectStore can back a lock: GcsStore (HTTP), MemoryStore (in process), or your own wrapper.
 * const store: ObjectStore = new MemoryStore({ buckets: ['my-bucket'] });
 * const lock = new Lock('gs://my-bucket/locks/job', { store });
 * ```
 */
export interface ObjectStore {
  /**
   * The shortest sustainable interval between writes to one object, in ms, when the service limits
   * it (GCS: about one a second, answering 429 beyond). A lock refuses a `refreshInterval` shorter
   * than this. `undefined` when no limit is known (a local server, an in-memory store).
   */
  readonly writeInterval?: number | undefined;
  /** Create or overwrite an object (one request). */
  insert(bucket: string, name: string, request: InsertRequest): Promise<Observed<StoredObject>>;
  /** Read an object's metadata (one request). Resolves `object: null` when it does not exist. */
  get(bucket: string, name: string, request?: RequestOptions): Promise<Observed<StoredObject | null>>;
  /** Patch custom metadata (one request); a `null` value removes the key. */
  patchMetadata(
    bucket: string,
    name: string,
    metadata: Readonly<Record<string, string | null>>,
    request?: RequestOptions,
  ): Promise<Observed<StoredObject>>;
  /** Delete the live version (one request). */
  delete(bucket: string, name: string, request?: RequestOptions): Promise<void>;
  /** One page of a listing (one request). */
  list(bucket: string, request?: ListRequest): Promise<ListPage>;
  /**
   * Concatenate up to 32 objects of `bucket` into `destination` (one request), atomically: every
   * source's `ifGenerationMatch` and the destination's preconditions hold, or nothing changes (412).
   * Optional: stores written before 0.2 need not have it.
   */
  compose?(
    bucket: string,
    destination: string,
    sources: readonly ComposeSource[],
    request?: ComposeRequest,
  ): Promise<Observed<StoredObject>>;
  /** Read a bucket's settings (one request). Optional. */
  getBucket?(bucket: string, request?: BucketRequest): Promise<Observed<BucketInfo>>;
  /** Which of `permissions` the caller holds on `bucket` (one request). Optional. */
  testIamPermissions?(
    bucket: string,
    permissions: readonly string[],
    request?: BucketRequest,
  ): Promise<string[]>;
}

/**
 * One source of a compose: an object name, optionally pinned to the generation it must still have.
 *
 * @example
 * ```ts
 * // Write `out` only while the fence object is still the version we read.
 * const sources: ComposeSource[] = [{ name: 'locks/job', ifGenerationMatch: lease.token }];
 * await store.compose?.('my-bucket', 'out', sources, { preconditions: { ifGenerationMatch: '0' } });
 * ```
 */
export interface ComposeSource {
  name: string;
  ifGenerationMatch?: string;
}

/**
 * The destination of a compose: its content type, custom metadata and preconditions (only
 * `ifGenerationMatch` and `ifMetagenerationMatch` exist for compose).
 *
 * @example
 * ```ts
 * const request: ComposeRequest = { contentType: 'text/plain', metadata: { by: 'me' }, preconditions: { ifGenerationMatch: '0' } };
 * ```
 */
export interface ComposeRequest extends RequestOptions {
  contentType?: string;
  metadata?: Readonly<Record<string, string>>;
}

/**
 * Options of a bucket-level request: a signal that aborts it.
 *
 * @example
 * ```ts
 * const { object: bucket } = await store.getBucket!('my-bucket', { signal: AbortSignal.timeout(5_000) });
 * ```
 */
export interface BucketRequest {
  signal?: AbortSignal;
}

/**
 * One lifecycle rule of a bucket, as GCS returns it.
 *
 * @example
 * ```ts
 * const rule: BucketLifecycleRule = { action: { type: 'Delete' }, condition: { age: 7 } };
 * ```
 */
export interface BucketLifecycleRule {
  action: { type: string; storageClass?: string };
  condition: Readonly<Record<string, unknown>>;
}

/**
 * The bucket settings that matter to a lock: what keeps copies of released lock objects (versioning,
 * soft delete), what blocks deleting or replacing them (retention, default holds), and who pays.
 *
 * @example
 * ```ts
 * const { object: bucket } = await store.getBucket!('my-bucket');
 * if (bucket.versioning || bucket.softDeleteRetentionSeconds > 0) console.warn('released locks leave billed copies');
 * ```
 */
export interface BucketInfo {
  name: string;
  storageClass: string;
  location: string;
  versioning: boolean;
  /** Soft delete's retention in seconds; 0 when soft delete is off. */
  softDeleteRetentionSeconds: number;
  /** Objects younger than this cannot be deleted or replaced; `undefined` without a retention policy. */
  retentionPeriodSeconds: number | undefined;
  /** New objects are held (cannot be deleted or replaced until released). */
  defaultEventBasedHold: boolean;
  lifecycleRules: BucketLifecycleRule[];
  requesterPays: boolean;
  uniformBucketLevelAccess: boolean;
  /** Decimal string, like an object's. */
  metageneration: string;
}

/**
 * The four GCS preconditions, as decimal strings (generations exceed 2^53).
 *
 * @example
 * ```ts
 * // Delete only the version we hold: a 412 if the object changed hands meanwhile.
 * await store.delete('my-bucket', 'locks/job', { preconditions: { ifGenerationMatch: lease.token } });
 * ```
 */
export interface Preconditions {
  ifGenerationMatch?: string;
  ifGenerationNotMatch?: string;
  ifMetagenerationMatch?: string;
  ifMetagenerationNotMatch?: string;
}

/**
 * Options every store request accepts: preconditions, and a signal that aborts it.
 *
 * @example
 * ```ts
 * const { object } = await store.get('my-bucket', 'locks/job', {
 *   preconditions: { ifGenerationMatch: '1718000000000001' },
 *   signal: AbortSignal.timeout(5_000),
 * });
 * ```
 */
export interface RequestOptions {
  preconditions?: Preconditions;
  /** Aborts the request; the store rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * An object to create or overwrite: its content, content type and custom metadata, in one request.
 *
 * @example
 * ```ts
 * await store.insert('my-bucket', 'reports/today.json', {
 *   body: JSON.stringify({ rows: 3 }),
 *   contentType: 'application/json',
 *   metadata: { 'fencing-token': lease.token },
 *   preconditions: { ifGenerationMatch: '0' }, // create only
 * });
 * ```
 */
export interface InsertRequest extends RequestOptions {
  metadata: Readonly<Record<string, string>>;
  /** The content: text (sent as UTF-8) or bytes. */
  body: string | Uint8Array;
  contentType?: string;
}

/**
 * One listing request: a name prefix, the page to continue from, and a page size.
 *
 * @example
 * ```ts
 * const page = await store.list('my-bucket', { prefix: 'locks/', maxResults: 100 });
 * ```
 */
export interface ListRequest {
  prefix?: string;
  pageToken?: string;
  maxResults?: number;
  signal?: AbortSignal;
}

/**
 * One page of a listing, and the token for the next page (`undefined` on the last).
 *
 * @example
 * ```ts
 * let pageToken: string | undefined;
 * do {
 *   const page: ListPage = await store.list('my-bucket', { prefix: 'locks/', ...(pageToken && { pageToken }) });
 *   for (const object of page.items) console.log(object.name, object.generation);
 *   pageToken = page.nextPageToken;
 * } while (pageToken);
 * ```
 */
export interface ListPage {
  items: StoredObject[];
  nextPageToken: string | undefined;
  /** The server's clock when it answered (its `Date` header), when it sent one. */
  serverTime?: number | undefined;
}

/**
 * An object resource, as far as the lock cares. Times are milliseconds since the epoch, server clock.
 *
 * @example
 * ```ts
 * const { object } = await store.get('my-bucket', 'locks/job');
 * if (object) console.log(object.generation, new Date(object.updated), object.metadata['gcs-lock-host']);
 * ```
 */
export interface StoredObject {
  bucket: string;
  name: string;
  /** Decimal string: GCS generations are 16-digit microsecond-like numbers, beyond 2^53. */
  generation: string;
  metageneration: string;
  /** When the object was created (this generation), server clock. */
  timeCreated: number;
  /** When its metadata last changed, server clock. */
  updated: number;
  metadata: Record<string, string>;
}

/**
 * A result with the server's clock reading at the time of the response.
 *
 * @example
 * ```ts
 * const { object, serverTime } = await store.get('my-bucket', 'locks/job');
 * // Server clock against server clock: free of local clock skew.
 * if (object && serverTime !== undefined) console.log(`last changed ${serverTime - object.updated} ms ago`);
 * ```
 */
export interface Observed<T> {
  object: T;
  /**
   * The server's time when it answered, ms since the epoch (from the `Date` header: whole seconds,
   * rounded down, so it never runs ahead of the server's true clock). `undefined` if none was sent.
   */
  serverTime: number | undefined;
}
