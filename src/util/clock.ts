/**
 * The elapsed clock every deadline of the lock is measured on, in ms. Suspend-aware: between two
 * readings it advances by the larger of the monotonic delta (`performance.now()`) and the wall-clock
 * delta (`Date.now()`), and never goes back.
 *
 * Why both: CLOCK_MONOTONIC, which `performance.now()` reads on Linux, stops while a laptop or VM is
 * suspended, so a holder resumed after its lease ended would still believe in it until its next
 * refresh answered. The wall clock keeps counting through a suspend, but NTP can step it either way.
 * Taking the larger delta counts a suspend; a forward step of the wall clock can only make a lease end
 * early (the safe direction); a backward step is ignored, because the monotonic delta wins then.
 *
 * Both are read through `globalThis` at call time, so that fake timers (and the torture harness's
 * suspend simulation) can stand in for them.
 */
let last: { mono: number; wall: number; elapsed: number } | undefined;

export function monotonicNow(): number {
  const mono = globalThis.performance.now();
  const wall = Date.now();
  if (last === undefined) {
    last = { mono, wall, elapsed: mono };
    return mono;
  }
  const advance = Math.max(0, mono - last.mono, wall - last.wall);
  last = { mono, wall, elapsed: last.elapsed + advance };
  return last.elapsed;
}

/** Forgets the readings monotonicNow() accumulates from: for tests that replace the clocks. */
export function resetElapsedClock(): void {
  last = undefined;
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      },
      Math.max(0, ms),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}

/**
 * A signal that aborts after `ms`, built on `setTimeout` (unlike `AbortSignal.timeout`) so that fake
 * timers control it too, and unref'd so it never keeps a process alive. Call `clear` when done.
 * With `parent`, it also aborts (with the parent's reason) when the parent does.
 */
export function timeoutSignal(
  ms: number,
  message: string,
  parent?: AbortSignal,
): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(message, 'TimeoutError')),
    Math.max(0, ms),
  );
  timer.unref?.();
  const onParentAbort = (): void => controller.abort(parent!.reason);
  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener('abort', onParentAbort, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParentAbort);
    },
  };
}
