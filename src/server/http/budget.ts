/**
 * Bytes the server holds on behalf of requests in flight and unfinished uploads, against one limit
 * (`ServerLimits.maxBufferedBytes`). Every holder takes before it keeps and releases when it lets go,
 * so the total stays under the limit however many clients send at once.
 */
export class ByteBudget {
  readonly limit: number;
  #used = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }

  /** Takes `bytes` if they fit under the limit; `false` (and nothing taken) if they do not. */
  take(bytes: number): boolean {
    if (this.#used + bytes > this.limit) return false;
    this.#used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}
