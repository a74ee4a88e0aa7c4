import { StorageError } from '../src/errors/storage-error.js';
import type {
  InsertRequest,
  ListPage,
  ListRequest,
  ObjectStore,
  Observed,
  RequestOptions,
  StoredObject,
} from '../src/store/object-store.js';

export type StoreOp = 'insert' | 'get' | 'patch' | 'delete' | 'list';

/** Outcome of one request: 'ok', an HTTP status, or 'transport' for no answer at all. */
export type Outcome = 'ok' | number | 'transport';

/**
 * An `ObjectStore` that counts every request the lock makes, by operation and outcome, and passes it
 * on unchanged. Counting on the client side sees exactly what the protocol sends (one store call is
 * one HTTP request, by the `ObjectStore` contract), including the 412s and 429s it answers to.
 */
export class CountingStore implements ObjectStore {
  readonly #inner: ObjectStore;
  /** `counts.get('insert:412')` and so on; `counts.get('insert')` is the total for the op. */
  readonly counts = new Map<string, number>();

  constructor(inner: ObjectStore) {
    this.#inner = inner;
  }

  count(op: StoreOp, outcome?: Outcome): number {
    return this.counts.get(outcome === undefined ? op : `${op}:${outcome}`) ?? 0;
  }

  get total(): number {
    return (['insert', 'get', 'patch', 'delete', 'list'] as const).reduce(
      (sum, op) => sum + this.count(op),
      0,
    );
  }

  /** Mutations: each one spends GCS's per-object write budget when it succeeds. */
  get writes(): number {
    return this.count('insert') + this.count('patch') + this.count('delete');
  }

  reset(): void {
    this.counts.clear();
  }

  async #track<T>(op: StoreOp, call: () => Promise<T>): Promise<T> {
    const bump = (key: string): void => void this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    bump(op);
    try {
      const result = await call();
      bump(`${op}:ok`);
      return result;
    } catch (error) {
      const status = error instanceof StorageError ? error.status : undefined;
      bump(`${op}:${status ?? 'transport'}`);
      throw error;
    }
  }

  insert(bucket: string, name: string, request: InsertRequest): Promise<Observed<StoredObject>> {
    return this.#track('insert', () => this.#inner.insert(bucket, name, request));
  }

  get(bucket: string, name: string, request?: RequestOptions): Promise<Observed<StoredObject | null>> {
    return this.#track('get', () => this.#inner.get(bucket, name, request));
  }

  patchMetadata(
    bucket: string,
    name: string,
    metadata: Readonly<Record<string, string | null>>,
    request?: RequestOptions,
  ): Promise<Observed<StoredObject>> {
    return this.#track('patch', () => this.#inner.patchMetadata(bucket, name, metadata, request));
  }

  delete(bucket: string, name: string, request?: RequestOptions): Promise<void> {
    return this.#track('delete', () => this.#inner.delete(bucket, name, request));
  }

  list(bucket: string, request?: ListRequest): Promise<ListPage> {
    return this.#track('list', () => this.#inner.list(bucket, request));
  }
}
