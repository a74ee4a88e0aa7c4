import { ConfigurationError } from '../errors/configuration-error.js';
import { StorageError } from '../errors/storage-error.js';
import { duration } from '../util/duration.js';
import type { AuthClient } from './auth.js';
import type { AuthFactory } from './credentials.js';
import { resolveEndpoint } from './endpoint.js';
import { parseErrorBody, saysBucketMissing } from './http-errors.js';
import type { RawResponse } from './http-transport.js';
import { JsonApi, parseJson, type Credentials } from './json-api.js';
import { BUCKET_FIELDS, parseBucket } from './bucket-resource.js';
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
} from './object-store.js';
import {
  LIST_FIELDS,
  OBJECT_FIELDS,
  composeBody,
  multipartBody,
  parseObject,
  serverTimeOf,
} from './object-resource.js';

/**
 * How a `GcsStore` reaches GCS.
 *
 * @example
 * ```ts
 * const options: GcsStoreOptions = { endpoint: 'http://127.0.0.1:4443', requestTimeout: 5_000 };
 * ```
 */
export interface GcsStoreOptions {
  /**
   * The JSON API's base URL. Credentials go to an explicit endpoint only when `authClient` is given
   * or the host is Google's (`*.googleapis.com`, https); never to one from `STORAGE_EMULATOR_HOST`.
   * @default process.env.STORAGE_EMULATOR_HOST, else https://storage.googleapis.com
   */
  endpoint?: string | undefined;
  /**
   * Signs requests (anything with `getRequestHeaders()`).
   * @default Application Default Credentials, for Google's endpoint only
   */
  authClient?: AuthClient | undefined;
  /**
   * The longest one request may take, credentials included, before it fails with a retryable
   * `StorageError` (status `undefined`).
   * @default 10000
   */
  requestTimeout?: number | undefined;
  /** @default `gcs-lock node/<version>` */
  userAgent?: string | undefined;
  /** Builds the default credentials; for tests. @default google-auth-library's GoogleAuth, lazily */
  authFactory?: AuthFactory | undefined;
}

/** The default `requestTimeout`, in ms: for a `GcsStore` and for the `Lock` that builds one. */
export const DEFAULT_REQUEST_TIMEOUT = 10_000;

/**
 * The `ObjectStore` over GCS's JSON API, with Node's own `fetch`: exactly one HTTP request per call,
 * no retries (the lock decides those), every failure a `StorageError` with the HTTP status.
 *
 * Redirects are never followed (`redirect: 'manual'`; a 3xx other than 304 becomes a non-retryable
 * `StorageError`): GCS's JSON API does not redirect, so one means a wrong endpoint; following it would
 * send a conditional write a second time, possibly to another host, and break one-request-per-call.
 *
 * Connections: fetch (undici) keeps a keep-alive pool per origin, process-wide; a store holds no
 * sockets or timers of its own, so many locks can share one (see `defaultStore`).
 *
 * @example
 * ```ts
 * const store = new GcsStore({ endpoint: 'http://127.0.0.1:4443' });
 * const { object, serverTime } = await store.get('my-bucket', 'locks/nightly');
 * ```
 */
export class GcsStore implements ObjectStore {
  /** The resolved base URL (no trailing slash, no `/storage/v1`). */
  readonly endpoint: string;
  /** What signs requests: nothing, the given `authClient`, or Application Default Credentials. */
  readonly credentials: 'none' | 'auth-client' | 'default';
  readonly #api: JsonApi;

  constructor(options: GcsStoreOptions = {}) {
    const resolved = resolveEndpoint({ endpoint: options.endpoint });
    const timeout = duration(
      'requestTimeout',
      options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
      1,
      2 ** 31 - 1,
    );
    if (options.authClient !== undefined && typeof options.authClient?.getRequestHeaders !== 'function') {
      throw new ConfigurationError('authClient', 'authClient must have a getRequestHeaders() method');
    }
    this.endpoint = resolved.base;
    // STORAGE_EMULATOR_HOST never gets credentials, as in the official client: a variable left over
    // from a test run must not ship a production token to whatever listens there.
    let credentials: Credentials;
    if (resolved.source === 'env') credentials = { kind: 'none' };
    else if (options.authClient) credentials = { kind: 'client', client: options.authClient };
    else if (resolved.google) credentials = { kind: 'default' };
    else credentials = { kind: 'none' };
    this.credentials = ({ none: 'none', client: 'auth-client', default: 'default' } as const)[
      credentials.kind
    ];
    this.#api = new JsonApi({
      endpoint: resolved.base,
      credentials,
      timeout,
      userAgent: options.userAgent ?? `gcs-lock node/${process.versions.node}`,
      authFactory: options.authFactory,
    });
  }

  async insert(bucket: string, name: string, request: InsertRequest): Promise<Observed<StoredObject>> {
    const contentType = request.contentType ?? 'application/json';
    if (/[\r\n]/.test(contentType)) {
      throw new ConfigurationError('contentType', 'contentType must not contain line breaks');
    }
    const resource = { name, contentType, metadata: request.metadata };
    const multipart = multipartBody(resource, contentType, request.body);
    const url = this.#api.url(`/upload/storage/v1/b/${encodeURIComponent(bucket)}/o`, {
      uploadType: 'multipart',
      name,
      fields: OBJECT_FIELDS,
      ...request.preconditions,
    });
    const response = await this.#api.send('insert', 'POST', bucket, name, url, request.signal, multipart);
    return this.#observed('POST', bucket, name, response);
  }

  async get(
    bucket: string,
    name: string,
    request: RequestOptions = {},
  ): Promise<Observed<StoredObject | null>> {
    const url = this.#api.url(this.#objectPath(bucket, name), {
      fields: OBJECT_FIELDS,
      ...request.preconditions,
    });
    const response = await this.#api.send(
      'get',
      'GET',
      bucket,
      name,
      url,
      request.signal,
      undefined,
      (raw) => {
        // A 404 is "no such object" only when it is a GCS error that does not blame the bucket. A
        // non-JSON 404 (a web server that is not GCS) must not read as "the lock is free".
        if (raw.status !== 404) return false;
        const body = parseErrorBody(raw.text);
        return body.json && !saysBucketMissing(body.message);
      },
    );
    if (response.status === 404) return { object: null, serverTime: serverTimeOf(response.headers) };
    return this.#observed('GET', bucket, name, response);
  }

  async patchMetadata(
    bucket: string,
    name: string,
    metadata: Readonly<Record<string, string | null>>,
    request: RequestOptions = {},
  ): Promise<Observed<StoredObject>> {
    const url = this.#api.url(this.#objectPath(bucket, name), {
      fields: OBJECT_FIELDS,
      ...request.preconditions,
    });
    const body = { contentType: 'application/json', body: JSON.stringify({ metadata }) };
    const response = await this.#api.send('patch', 'PATCH', bucket, name, url, request.signal, body);
    return this.#observed('PATCH', bucket, name, response);
  }

  async delete(bucket: string, name: string, request: RequestOptions = {}): Promise<void> {
    const url = this.#api.url(this.#objectPath(bucket, name), { ...request.preconditions });
    await this.#api.send('delete', 'DELETE', bucket, name, url, request.signal);
  }

  async list(bucket: string, request: ListRequest = {}): Promise<ListPage> {
    const url = this.#api.url(`/storage/v1/b/${encodeURIComponent(bucket)}/o`, {
      fields: LIST_FIELDS,
      prefix: request.prefix,
      pageToken: request.pageToken,
      maxResults: request.maxResults === undefined ? undefined : String(request.maxResults),
    });
    const response = await this.#api.send('list', 'GET', bucket, request.prefix ?? '', url, request.signal);
    const operation = `GET gs://${bucket}/${request.prefix ?? ''}`;
    const parsed = parseJson(response.text) as { items?: unknown; nextPageToken?: unknown } | undefined;
    const rawItems = parsed?.items ?? [];
    if (typeof parsed !== 'object' || parsed === null || !Array.isArray(rawItems)) {
      throw new StorageError(operation, undefined, 'unusable response: not an object listing');
    }
    const items = rawItems.map(parseObject);
    if (items.some((item) => item === undefined)) {
      throw new StorageError(
        operation,
        undefined,
        'unusable response: a listed object lacks generation or times',
      );
    }
    const token = parsed.nextPageToken;
    return {
      items: items as StoredObject[],
      nextPageToken: typeof token === 'string' && token ? token : undefined,
    };
  }

  /**
   * `objects.compose`: one POST. Only `ifGenerationMatch` and `ifMetagenerationMatch` exist for the
   * destination; the other two preconditions are refused before any request is sent.
   */
  async compose(
    bucket: string,
    destination: string,
    sources: readonly ComposeSource[],
    request: ComposeRequest = {},
  ): Promise<Observed<StoredObject>> {
    const { ifGenerationMatch, ifMetagenerationMatch, ...others } = request.preconditions ?? {};
    if (Object.keys(others).length > 0) {
      throw new ConfigurationError(
        'preconditions',
        `compose takes only ifGenerationMatch and ifMetagenerationMatch, not ${Object.keys(others).join(', ')}`,
      );
    }
    const url = this.#api.url(`${this.#objectPath(bucket, destination)}/compose`, {
      fields: OBJECT_FIELDS,
      ifGenerationMatch,
      ifMetagenerationMatch,
    });
    const json = { contentType: 'application/json', body: composeBody(sources, request) };
    const response = await this.#api.send('compose', 'POST', bucket, destination, url, request.signal, json);
    return this.#observed('POST', bucket, destination, response);
  }

  /** `buckets.get`: one GET, asking only for the fields `BucketInfo` holds. */
  async getBucket(bucket: string, request: BucketRequest = {}): Promise<Observed<BucketInfo>> {
    const url = this.#api.url(`/storage/v1/b/${encodeURIComponent(bucket)}`, { fields: BUCKET_FIELDS });
    const response = await this.#api.send('bucket', 'GET', bucket, '', url, request.signal);
    const info = parseBucket(parseJson(response.text));
    if (!info)
      throw new StorageError(`GET gs://${bucket}`, undefined, 'unusable response: no bucket resource');
    return { object: info, serverTime: serverTimeOf(response.headers) };
  }

  /** `buckets.testIamPermissions`: one GET; resolves the permissions held (GCS omits an empty list). */
  async testIamPermissions(
    bucket: string,
    permissions: readonly string[],
    request: BucketRequest = {},
  ): Promise<string[]> {
    if (permissions.length === 0) {
      throw new ConfigurationError(
        'permissions',
        'permissions must name at least one, e.g. storage.objects.get',
      );
    }
    const query = permissions.map((permission) => `permissions=${encodeURIComponent(permission)}`).join('&');
    const url = `${this.#api.url(`/storage/v1/b/${encodeURIComponent(bucket)}/iam/testPermissions`, {})}?${query}`;
    const response = await this.#api.send('iam', 'GET', bucket, '', url, request.signal);
    const granted = (parseJson(response.text) as { permissions?: unknown } | undefined)?.permissions ?? [];
    if (!Array.isArray(granted) || granted.some((p) => typeof p !== 'string')) {
      throw new StorageError(`GET gs://${bucket}`, undefined, 'unusable response: no permission list');
    }
    return granted as string[];
  }

  #objectPath(bucket: string, name: string): string {
    // encodeURIComponent turns "/" into %2F, as the JSON API requires for object names.
    return `/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}`;
  }

  #observed(method: string, bucket: string, name: string, response: RawResponse): Observed<StoredObject> {
    return {
      object: this.#object(method, bucket, name, response),
      serverTime: serverTimeOf(response.headers),
    };
  }

  #object(method: string, bucket: string, name: string, response: RawResponse): StoredObject {
    const object = parseObject(parseJson(response.text));
    if (!object) {
      // The server answered 2xx but not with an object: whether a write took effect is unknown, so
      // this is reported as a transport-like (retryable, ambiguous) failure, never as success.
      throw new StorageError(
        `${method} gs://${bucket}/${name}`,
        undefined,
        'unusable response: no object resource',
      );
    }
    return object;
  }
}
