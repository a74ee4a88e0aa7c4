import type { Lease } from '../../src/lease/lease.js';
import type { Backend } from './lock-behaviour.js';

const BIG = 1_000_000_000;

/**
 * Requests that reached storage for objects whose names start with `prefix`, reads and writes,
 * while `during` ran. LIST requests are counted whatever their prefix (the local server does not
 * tell a rule the listing's prefix), so run nothing else that lists meanwhile.
 */
export async function countRequests<T>(
  backend: Backend,
  prefix: string,
  during: () => Promise<T>,
): Promise<{ reads: number; writes: number; result: T }> {
  const { faults } = backend;
  // Zero-latency rules match and count (by what is left of a huge `count`) without changing anything.
  const ids = [
    faults.add({ kind: 'latency', latencyMs: 0, ops: ['get'], objectPrefix: prefix, count: BIG }),
    faults.add({ kind: 'latency', latencyMs: 0, ops: ['list'], count: BIG }),
    faults.add({
      kind: 'latency',
      latencyMs: 0,
      ops: ['insert', 'patch', 'delete'],
      objectPrefix: prefix,
      count: BIG,
    }),
  ];
  try {
    const result = await during();
    const spent = ids.map((id) => BIG - (faults.rules().find((rule) => rule.id === id)?.remaining ?? BIG));
    return { reads: spent[0]! + spent[1]!, writes: spent[2]!, result };
  } finally {
    for (const id of ids) faults.remove(id);
  }
}

/**
 * Records who believes they hold what: `enter` when a lease is granted, `leave` before it is given
 * back. At each grant it checks every other lease still believed held (not lost on its own clock,
 * not released): more than `limit` of them at once is a violation.
 */
export class BeliefLog {
  readonly #held = new Set<Lease>();
  readonly tokens: string[] = [];
  violations = 0;
  maxHeld = 0;
  constructor(readonly limit: number) {}

  enter(lease: Lease): void {
    for (const other of [...this.#held]) if (other.lost || other.released) this.#held.delete(other);
    this.#held.add(lease);
    this.tokens.push(lease.token);
    this.maxHeld = Math.max(this.maxHeld, this.#held.size);
    if (this.#held.size > this.limit) this.violations += 1;
  }

  leave(lease: Lease): void {
    this.#held.delete(lease);
  }
}

export const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
