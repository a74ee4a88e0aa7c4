/**
 * Capped exponential backoff with "equal jitter": half the delay is fixed, half random, so retries
 * from many processes spread out but none retries at once. Attempt 0 waits about `initial`.
 */
export function backoffDelay(
  attempt: number,
  initial: number,
  max: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(max, initial * 2 ** Math.min(attempt, 30));
  return ceiling / 2 + random() * (ceiling / 2);
}
