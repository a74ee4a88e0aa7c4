/**
 * The holder's clock: monotonic, so deadlines survive wall-clock jumps (NTP steps, a laptop waking).
 * Read through `globalThis.performance` at call time so fake timers in tests can stand in for it.
 */
export function monotonicNow(): number {
  return globalThis.performance.now();
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
 */
export function timeoutSignal(ms: number, message: string): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(message, 'TimeoutError')),
    Math.max(0, ms),
  );
  timer.unref?.();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
