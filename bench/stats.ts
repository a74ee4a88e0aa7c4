/** Small order statistics for the benchmark: medians and spreads, never means of skewed timings. */

/** The q-quantile (0..1) by linear interpolation; NaN for no samples. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  const high = Math.ceil(at);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (at - low);
}

export const median = (values: readonly number[]): number => quantile(values, 0.5);

/** A measured quantity: its median over samples and the spread that tells how far to trust it. */
export interface Measure {
  median: number;
  /** 10th and 90th percentiles (or min/max when there are fewer than 10 samples). */
  low: number;
  high: number;
  samples: number;
}

export function measure(values: readonly number[]): Measure {
  const few = values.length < 10;
  return {
    median: median(values),
    low: few ? Math.min(...values) : quantile(values, 0.1),
    high: few ? Math.max(...values) : quantile(values, 0.9),
    samples: values.length,
  };
}

/** An exact or single-valued quantity, in the same shape as a measured one. */
export const exact = (value: number): Measure => ({ median: value, low: value, high: value, samples: 1 });

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Capped exponential backoff with jitter, the same schedule gcs-lock polls with by default. */
export function pollDelay(attempt: number, initial: number, max: number): number {
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}
