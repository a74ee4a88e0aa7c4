import type { RateLimit } from './engine/rate-limiter.js';
import { CONTROL_HEADER } from './control-guard.js';
import type { FaultCounts, FaultRule } from './fault-plan.js';

/**
 * How to reach a control endpoint.
 * @example
 * const control = new ControlClient('http://127.0.0.1:4443', { token: process.env.GCS_LOCK_CONTROL_TOKEN });
 */
export interface ControlClientOptions {
  /**
   * The control token, for a server started with one (`startServer({ control: { token } })`, or the
   * emulator with `GCS_LOCK_CONTROL_TOKEN` set). @default process.env.GCS_LOCK_CONTROL_TOKEN
   */
  token?: string | undefined;
}

/**
 * A client for the server's control endpoint (`/_gcs-lock/`), for tests that drive a server in
 * another process, such as `gcs-lock emulator`. It sends what the endpoint requires of every caller:
 * the `X-GCS-Lock-Control` header, JSON bodies, and the token when there is one.
 * @example
 * const control = new ControlClient('http://127.0.0.1:4443');
 * await control.addFault({ kind: 'error', status: 503, ops: ['insert'], count: 1 });
 */
export class ControlClient {
  readonly #base: string;
  readonly #token: string | undefined;

  /** @param url The server's base URL, e.g. `http://127.0.0.1:4443`. */
  constructor(url: string, options: ControlClientOptions = {}) {
    this.#base = `${url.replace(/\/+$/, '')}/_gcs-lock/`;
    this.#token = options.token ?? (process.env.GCS_LOCK_CONTROL_TOKEN || undefined);
  }

  /** Whether the server is up and well: `ok: false` with `persistence` when saving its state fails. */
  async health(): Promise<{ ok: boolean; now: string; persistence?: string }> {
    return this.#call('GET', 'health');
  }

  /** Adds a fault rule; resolves its id. */
  async addFault(rule: FaultRule): Promise<string> {
    return (await this.#call<{ id: string }>('POST', 'faults', rule)).id;
  }

  /** The active rules and the counts of faults delivered so far. */
  async faults(): Promise<{
    rules: Array<FaultRule & { id: string; remaining: number | null }>;
    delivered: FaultCounts;
  }> {
    return this.#call('GET', 'faults');
  }

  /** Removes one rule by id, or every rule when no id is given; resolves how many were removed. */
  async clearFaults(id?: string): Promise<number> {
    const path = id === undefined ? 'faults' : `faults/${encodeURIComponent(id)}`;
    return (await this.#call<{ removed: number }>('DELETE', path)).removed;
  }

  /** Sets the server clock's offset from its host clock, in ms. */
  async setClockOffset(offsetMs: number): Promise<void> {
    await this.#call('PUT', 'clock', { offsetMs });
  }

  /** Turns the per-object mutation limit on or off (`false`). */
  async setRateLimit(limit: RateLimit | false): Promise<void> {
    if (limit === false) await this.#call('DELETE', 'rate-limit');
    else await this.#call('PUT', 'rate-limit', limit);
  }

  /**
   * Makes the server refuse `permissions` on `bucket` (403, as GCS refuses a caller without them);
   * `[]` grants everything again.
   */
  async setDeniedPermissions(bucket: string, permissions: readonly string[]): Promise<void> {
    await this.#call('PUT', `buckets/${encodeURIComponent(bucket)}/denied-permissions`, { permissions });
  }

  /** Deletes every object and upload session and clears fault rules and counts; buckets stay. */
  async reset(): Promise<void> {
    await this.#call('POST', 'reset', {});
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { [CONTROL_HEADER]: '1' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.#token !== undefined) headers.authorization = `Bearer ${this.#token}`;
    const response = await fetch(this.#base + path, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let json: (T & { error?: { message?: string } }) | undefined;
    try {
      json = JSON.parse(text) as T & { error?: { message?: string } };
    } catch {
      json = undefined;
    }
    if (!response.ok || json === undefined) {
      const detail = json?.error?.message ?? text.slice(0, 200);
      throw new Error(`gcs-lock control ${method} ${path}: ${response.status} ${detail}`.trim());
    }
    return json;
  }
}
