import { META } from '../src/core/lock-object.js';
import { StorageError } from '../src/errors/storage-error.js';
import { DEFAULT_STAGING_PREFIX } from '../src/lease/fenced-write.js';
import type {
  ComposeRequest,
  ComposeSource,
  InsertRequest,
  ListPage,
  ListRequest,
  ObjectStore,
  Observed,
  RequestOptions,
  StoredObject,
} from '../src/store/object-store.js';

/** Which object a request touched: the lock itself, a fair-mode ticket, a fenced write's temporary. */
export type ObjectKind = 'lock' | 'ticket' | 'temp' | 'data';

/**
 * What a request asked for. Patches are told apart by the metadata they carry, since each one is a
 * different step of the protocol: a release, the queue's flag, a heartbeat.
 */
export type StoreOp =
  | 'insert'
  | 'get'
  | 'patch-release'
  | 'patch-flag'
  | 'patch-refresh'
  | 'patch-other'
  | 'delete'
  | 'list'
  | 'compose';

/** Outcome of one request: 'ok', an HTTP status, or 'transport' for no answer at all. */
export type Outcome = 'ok' | number | 'transport';

/** A selection of counted requests; `op: 'patch'` means every kind of patch, `outcome: 'refused'` every failure. */
export interface CountFilter {
  kind?: ObjectKind;
  op?: StoreOp | 'patch' | 'write' | 'read';
  outcome?: Outcome | 'refused';
}

/** Counts keyed `kind op outcome`: plain data, so a worker process can send them to the bench. */
export type CountSnapshot = Record<string, number>;

const WRITES = new Set<string>(['insert', 'delete', 'compose']);

/** How many of the counted requests match the filter. */
export function countIn(snapshot: CountSnapshot, filter: CountFilter = {}): number {
  let sum = 0;
  for (const [key, n] of Object.entries(snapshot)) {
    const [kind, op, outcome] = key.split(' ') as [string, string, string];
    if (filter.kind !== undefined && kind !== filter.kind) continue;
    if (filter.op !== undefined && !opMatches(op, filter.op)) continue;
    if (
      filter.outcome === 'refused'
        ? outcome === 'ok'
        : filter.outcome !== undefined && outcome !== String(filter.outcome)
    )
      continue;
    sum += n;
  }
  return sum;
}

function opMatches(op: string, wanted: NonNullable<CountFilter['op']>): boolean {
  if (wanted === 'patch') return op.startsWith('patch');
  if (wanted === 'write') return WRITES.has(op) || op.startsWith('patch');
  if (wanted === 'read') return op === 'get' || op === 'list';
  return op === wanted;
}

/** The requests counted between two snapshots. */
export function countsSince(after: CountSnapshot, before: CountSnapshot): CountSnapshot {
  const out: CountSnapshot = {};
  for (const [key, n] of Object.entries(after)) {
    const d = n - (before[key] ?? 0);
    if (d !== 0) out[key] = d;
  }
  return out;
}

/** Adds counts (of several processes) together. */
export function addCounts(...snapshots: CountSnapshot[]): CountSnapshot {
  const out: CountSnapshot = {};
  for (const s of snapshots) for (const [key, n] of Object.entries(s)) out[key] = (out[key] ?? 0) + n;
  return out;
}

const kindOf = (name: string): ObjectKind =>
  name.includes('.queue/') ? 'ticket' : name.startsWith(DEFAULT_STAGING_PREFIX) ? 'temp' : 'lock';

function patchOp(metadata: Readonly<Record<string, string | null>>): StoreOp {
  const keys = Object.keys(metadata);
  if (keys.length === 1 && keys[0] === META.refresh) return 'patch-refresh';
  if (keys.length === 1 && keys[0] === META.queued) return 'patch-flag';
  if (keys.length === 1 && keys[0] === META.state && metadata[META.state] === 'released')
    return 'patch-release';
  return 'patch-other';
}

/**
 * An `ObjectStore` that counts every request the lock makes, by the object it touched, what it asked
 * and how it was answered, and passes it on unchanged. Counting on the client side sees exactly what
 * the protocol sends (one store call is one HTTP request, by the `ObjectStore` contract), including
 * the 412s and 429s it answers to. A LIST is counted under `ticket` (the only listing is the queue's).
 */
export class CountingStore implements ObjectStore {
  readonly #inner: ObjectStore;
  #counts: CountSnapshot = {};
  /** Objects that are neither locks, tickets nor temporaries: a fenced write's destination. */
  readonly #data: Set<string>;

  constructor(inner: ObjectStore, options: { dataObjects?: readonly string[] } = {}) {
    this.#inner = inner;
    this.#data = new Set(options.dataObjects);
  }

  get writeInterval(): number | undefined {
    return this.#inner.writeInterval;
  }

  count(filter: CountFilter = {}): number {
    return countIn(this.#counts, filter);
  }

  get total(): number {
    return this.count();
  }

  snapshot(): CountSnapshot {
    return { ...this.#counts };
  }

  reset(): void {
    this.#counts = {};
  }

  async #track<T>(kind: ObjectKind, op: StoreOp, call: () => Promise<T>): Promise<T> {
    const bump = (outcome: Outcome): void => {
      const key = `${kind} ${op} ${outcome}`;
      this.#counts[key] = (this.#counts[key] ?? 0) + 1;
    };
    try {
      const result = await call();
      bump('ok');
      return result;
    } catch (error) {
      bump(error instanceof StorageError && error.status !== undefined ? error.status : 'transport');
      throw error;
    }
  }

  #kind(name: string): ObjectKind {
    return this.#data.has(name) ? 'data' : kindOf(name);
  }

  insert(bucket: string, name: string, request: InsertRequest): Promise<Observed<StoredObject>> {
    return this.#track(this.#kind(name), 'insert', () => this.#inner.insert(bucket, name, request));
  }

  get(bucket: string, name: string, request?: RequestOptions): Promise<Observed<StoredObject | null>> {
    return this.#track(this.#kind(name), 'get', () => this.#inner.get(bucket, name, request));
  }

  patchMetadata(
    bucket: string,
    name: string,
    metadata: Readonly<Record<string, string | null>>,
    request?: RequestOptions,
  ): Promise<Observed<StoredObject>> {
    return this.#track(this.#kind(name), patchOp(metadata), () =>
      this.#inner.patchMetadata(bucket, name, metadata, request),
    );
  }

  delete(bucket: string, name: string, request?: RequestOptions): Promise<void> {
    return this.#track(this.#kind(name), 'delete', () => this.#inner.delete(bucket, name, request));
  }

  list(bucket: string, request?: ListRequest): Promise<ListPage> {
    return this.#track('ticket', 'list', () => this.#inner.list(bucket, request));
  }

  compose(
    bucket: string,
    destination: string,
    sources: readonly ComposeSource[],
    request?: ComposeRequest,
  ): Promise<Observed<StoredObject>> {
    const inner = this.#inner;
    if (!inner.compose) throw new Error('the counted store has no compose');
    return this.#track(this.#kind(destination), 'compose', () =>
      inner.compose!(bucket, destination, sources, request),
    );
  }
}
