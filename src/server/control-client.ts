import type { RateLimit } from './engine/rate-limiter.js';
import type { FaultCounts, FaultRule } from './fault-plan.js';

/**
 * A client for the server's control endpoint (`/_gcs-lock/`), for tests that drive a server in
 * another process, such as `gcs-lock emulator`.
 * @example
 * const control = new ControlClient('http://127.0.0.1:4443');
 * await control.addFault({ kind: 'error', status: 503, ops: ['insert'], count: 1 });
 */
export class ControlClient {
  readonly #base: string;

  /** @param url The server's base URL, e.g. `http://127.0.0.1:4443`. */
  constructor(url: string) {
    this.#base = `${url.replace(/\/+$/, '')}/_gcs-lock/`;
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
    await this.#call('POST', 'reset');
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(this.#base + path, {
      method,
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
    });
    const json = (await response.json()) as T & { error?: { message?: string } };
    if (!response.ok) {
      throw new Error(
        `gcs-lock control ${method} ${path}: ${response.status} ${json.error?.message ?? ''}`.trim(),
      );
    }
    return json;
  }
}
