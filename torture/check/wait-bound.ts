/**
 * The longest a waiter may wait in fair mode before the checker calls it starvation (issue 16): every
 * other worker ahead of it once, each holding for at most `holdMs` and handing over within
 * `handOffMs`, plus allowances for what faults did during the wait (check/waits.ts).
 */
export interface WaitBound {
  /** The longest planned hold: a library holder's 0.8 ttl, its writes and its release; a command's less. */
  holdMs: number;
  /**
   * A release, the queue head's next poll (`poll.initial`), its grant: 2 or 3 requests, and ttl / 2 for
   * a server fault burst (503s, resets, latency) that slows them.
   */
  handOffMs: number;
  /** (N − 1) × (hold + hand-off), N = the run's workers: every one of them may wait for the same lock. */
  baseMs: number;
  /**
   * Each grant to another during the wait whose holder a fault struck (kill, pause, suspend, foreign
   * patch, release outage, zombie) or that ran a long command, or that expired: it held the lock up to
   * 2 ttl longer than a planned hold (a 2.5 ttl command; a fault, then a ttl until its lease expired).
   */
  perFaultedGrantMs: number;
  /** The waiter itself was stopped (waiter-pause): it could not take its turn for that long. */
  perOwnStopMs: number;
}

export function waitBound(run: { workers: number; ttl: number; pollInitial: number }): WaitBound {
  const holdMs = run.ttl;
  const handOffMs = run.pollInitial + run.ttl / 2;
  return {
    holdMs,
    handOffMs,
    baseMs: Math.max(0, run.workers - 1) * (holdMs + handOffMs),
    perFaultedGrantMs: 2 * run.ttl,
    perOwnStopMs: 1.5 * run.ttl,
  };
}
