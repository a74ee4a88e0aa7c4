import { ConfigurationError } from '../errors/configuration-error.js';
import { StorageError } from '../errors/storage-error.js';
import type { AuthClient } from './auth.js';
import { authHeaders, sharedDefaultCredentials, type AuthFactory } from './credentials.js';
import { httpError, type StoreOperation } from './http-errors.js';
import { transportError, withDeadline, type RawResponse } from './http-transport.js';

export type Credentials = { kind: 'none' } | { kind: 'client'; client: AuthClient } | { kind: 'default' };

/**
 * One JSON API request, and only one: URL building, credentials, the deadline, the body read in full,
 * and every non-2xx answer turned into a `StorageError`. `GcsStore`'s methods are thin over this.
 */
export class JsonApi {
  readonly #endpoint: string;
  readonly #credentials: Credentials;
  readonly #timeout: number;
  readonly #userAgent: string;
  readonly #authFactory: AuthFactory | undefined;

  constructor(config: {
    endpoint: string;
    credentials: Credentials;
    timeout: number;
    userAgent: string;
    authFactory: AuthFactory | undefined;
  }) {
    this.#endpoint = config.endpoint;
    this.#credentials = config.credentials;
    this.#timeout = config.timeout;
    this.#userAgent = config.userAgent;
    this.#authFactory = config.authFactory;
  }

  url(path: string, params: Record<string, string | undefined>): string {
    // Built by hand: URLSearchParams writes a space as "+", which is only form-encoding; %20 is exact.
    const query = Object.entries(params)
      .filter((entry): entry is [string, string] => entry[1] !== undefined)
      .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
      .join('&');
    return `${this.#endpoint}${path}${query ? `?${query}` : ''}`;
  }

  async send(
    op: StoreOperation,
    method: string,
    bucket: string,
    name: string,
    url: string,
    signal: AbortSignal | undefined,
    body?: { contentType: string; body: string | Uint8Array },
    accept: (response: RawResponse) => boolean = () => false,
  ): Promise<RawResponse> {
    const operation = `${method} gs://${bucket}/${name}`;
    const secrets: string[] = [];
    const response = await withDeadline(operation, this.#timeout, signal, async (deadline) => {
      const headers: Record<string, string> = { ...(await this.#authHeaders(operation, url, secrets)) };
      headers['user-agent'] = this.#userAgent;
      headers['accept'] = 'application/json';
      if (body) headers['content-type'] = body.contentType;
      let raw: Response;
      try {
        raw = await fetch(url, {
          method,
          headers,
          body: body?.body ?? null,
          signal: deadline,
          redirect: 'manual',
        });
      } catch (error) {
        throw transportError(operation, url, error);
      }
      let text: string;
      try {
        text = await raw.text();
      } catch (error) {
        // The status arrived but the body did not: for a write, whether it committed is unknown.
        throw transportError(operation, url, error);
      }
      return { status: raw.status, statusText: raw.statusText, headers: raw.headers, text };
    });
    if ((response.status >= 200 && response.status < 300) || accept(response)) return response;
    const location = response.headers.get('location');
    throw httpError({ op, operation, bucket, ...response, body: response.text, secrets, location });
  }

  async #authHeaders(operation: string, url: string, secrets: string[]): Promise<Record<string, string>> {
    const credentials = this.#credentials;
    if (credentials.kind === 'none') return {};
    try {
      const client =
        credentials.kind === 'client'
          ? credentials.client
          : await sharedDefaultCredentials(this.#authFactory);
      return await authHeaders(client, url, secrets);
    } catch (error) {
      if (error instanceof ConfigurationError) throw error;
      // Not attached as cause: an auth library's error may carry the token request (see credentials.ts).
      const message = error instanceof Error ? error.message : 'unknown error';
      throw new StorageError(operation, undefined, message);
    }
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
