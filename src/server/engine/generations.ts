import { randomInt } from 'node:crypto';

/**
 * How the server numbers object versions. `'increasing'`: microsecond-like and strictly increasing
 * across the server, as GCS's are in practice. `'unordered'`: unique random 16-digit numbers in no
 * order, as GCS's documentation allows ("no guarantee that generations increase"): code that compares
 * generations for order instead of equality fails against it.
 *
 * @example
 * ```ts
 * await using server = await startServer({ buckets: ['test'], generations: 'unordered' satisfies GenerationOrder });
 * ```
 */
export type GenerationOrder = 'increasing' | 'unordered';

const LOW = 1_000_000_000_000_000n; // the smallest 16-digit number
const SPAN = 9_000_000_000_000_000n;

/** Hands out generations; `note` records one restored from persisted state, so it is never reused. */
export interface Generations {
  next(now: number): bigint;
  note(generation: bigint): void;
  /** The highest generation handed out or noted. */
  readonly last: bigint;
}

export function generationsFor(order: GenerationOrder): Generations {
  if (order === 'increasing') return new IncreasingGenerations();
  if (order === 'unordered') return new UnorderedGenerations();
  throw new TypeError(`generations must be 'increasing' or 'unordered', got ${JSON.stringify(order)}`);
}

/** Milliseconds × 1000, bumped by one when two changes share a millisecond: unique and increasing. */
class IncreasingGenerations implements Generations {
  last = 0n;

  next(now: number): bigint {
    const candidate = BigInt(Math.floor(now)) * 1000n;
    this.last = candidate > this.last ? candidate : this.last + 1n;
    return this.last;
  }

  note(generation: bigint): void {
    if (generation > this.last) this.last = generation;
  }
}

/**
 * Uniformly random 16-digit generations, never one handed out or noted before by this process. The
 * set of used numbers is not persisted: after a restart, uniqueness against versions that no longer
 * exist rests on the odds (one in 9×10^15 per draw).
 */
class UnorderedGenerations implements Generations {
  last = 0n;
  readonly #used = new Set<bigint>();

  next(): bigint {
    let generation: bigint;
    do {
      // Two draws below 2^48 make a uniform number below 2^96; its remainder modulo SPAN is uniform
      // enough (the bias is below 2^-40).
      const wide = (BigInt(randomInt(2 ** 48 - 1)) << 48n) | BigInt(randomInt(2 ** 48 - 1));
      generation = LOW + (wide % SPAN);
    } while (this.#used.has(generation));
    this.note(generation);
    return generation;
  }

  note(generation: bigint): void {
    this.#used.add(generation);
    if (generation > this.last) this.last = generation;
  }
}
