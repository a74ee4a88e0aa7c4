/**
 * The clock seam the library reads: `globalThis.performance.now()` (monotonic) and `Date.now()`
 * (wall), both at call time. A worker installs this shim to make its own process live through what a
 * laptop or VM lives through, without touching the shared clock the checker uses (`process.hrtime`).
 */
export interface ClockShim {
  /**
   * A suspend: the event loop is blocked for `ms` (nothing runs, as under SIGSTOP), then the
   * monotonic clock is set back by `ms`, so that, as after a real suspend, the wall clock advanced
   * while `performance.now()` did not.
   */
  suspend(ms: number): void;
  /** A wall-clock step (NTP, a user changing the time): `Date.now()` moves by `ms`, nothing else. */
  stepWall(ms: number): void;
}

/**
 * `guard`: a suspend at the holder's next lease check; `now`: at once, wherever it is; `wall-forward`
 * and `wall-back`: a wall-clock step (back comes after forward, as when NTP undoes a wrong step).
 */
export const SUSPEND_VARIANTS = ['guard', 'wall-forward', 'now', 'wall-back'] as const;
export type SuspendVariant = (typeof SUSPEND_VARIANTS)[number];

export function installClockShim(): ClockShim {
  const performance = globalThis.performance;
  const realMono = performance.now.bind(performance);
  const realWall = Date.now.bind(Date);
  let hiddenMs = 0;
  let wallShiftMs = 0;
  // Own properties shadow the prototype's methods; the library looks them up at each call.
  Object.defineProperty(performance, 'now', {
    value: () => realMono() - hiddenMs,
    configurable: true,
    writable: true,
  });
  Date.now = () => realWall() + wallShiftMs;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  return {
    suspend(ms) {
      Atomics.wait(cell, 0, 0, ms);
      hiddenMs += ms;
    },
    stepWall(ms) {
      wallShiftMs += ms;
    },
  };
}
