import type { LockContext } from '../core/context.js';
import type { Grant } from '../lease/attempt.js';
import { Lease } from '../lease/lease.js';

/**
 * One term of leadership: a lease on the election object, with the candidate's name written into it.
 * Everything a `Lease` has, it has: `signal` aborts when leadership is lost, `token` is the term's
 * fencing token (higher than every earlier term's), a heartbeat keeps it.
 *
 * @example
 * ```ts
 * await using term = await election.campaign();
 * await indexUntil(term.signal, { fencingToken: term.token });
 * ```
 */
export class Term extends Lease {
  /** This process's candidate name, as written into the term. */
  readonly candidate: string;

  /** @internal Created by `Election`; not constructed by users. */
  constructor(ctx: LockContext, grant: Grant, candidate: string) {
    super(ctx, grant);
    this.candidate = candidate;
  }

  /**
   * Steps down: the same as `release()`. Observers see "no leader" at their next read, and the next
   * candidate to read it takes over. Resolves `false` when the term had already been lost.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void term.resign());
   * ```
   */
  resign(options: { signal?: AbortSignal } = {}): Promise<boolean> {
    return this.release(options);
  }
}
