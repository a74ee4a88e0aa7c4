import { performance } from 'node:perf_hooks';
import type { DoctorContext } from './types.js';

/** One metadata GET: when it left and came back (local wall clock), its round trip, the server's Date. */
export interface ProbeSample {
  sentAt: number;
  receivedAt: number;
  roundTripMs: number;
  /** The server's `Date` (whole seconds, rounded down); `undefined` when it sent none. */
  serverTime: number | undefined;
}

export const PROBES = 5;

/**
 * Reads `name` (normally absent: a 404 is as good a reading as any) `count` times in a row: the
 * same request a waiter polls with, so its round trip is a waiter's and a holder's.
 */
export async function probe(ctx: DoctorContext, name: string, count = PROBES): Promise<ProbeSample[]> {
  const samples: ProbeSample[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = Date.now();
    const started = performance.now();
    const { serverTime } = await ctx.store.get(ctx.bucket, name, {
      ...(ctx.signal && { signal: ctx.signal }),
    });
    samples.push({
      sentAt,
      receivedAt: Date.now(),
      roundTripMs: performance.now() - started,
      serverTime,
    });
  }
  return samples;
}

/** The median of some numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
