import type { AcquireOptions } from '../core/options.js';
import { StorageError } from '../errors/storage-error.js';
import { sleep } from '../util/clock.js';
import type { Term } from './term.js';
import type { RunForeverOptions, TermWork } from './options.js';

/**
 * The service loop: campaign; run `work` for the term; when the term ends (lost, or `work` returned),
 * resign, back off, campaign again; until `options.signal` aborts. Storage failures are ridden out
 * (reported to `onError`); anything else (a malformed election object, bad options, an error thrown
 * by `work` while it still led) ends the loop with that error, after resigning.
 */
export async function runForever(
  campaign: (options: AcquireOptions) => Promise<Term>,
  work: TermWork,
  options: RunForeverOptions & { backoff: number },
): Promise<void> {
  const { signal, backoff, onError } = options;
  while (!aborted(signal)) {
    let term: Term;
    try {
      term = await campaign(signal === undefined ? {} : { signal });
    } catch (error) {
      if (aborted(signal)) return;
      if (!(error instanceof StorageError)) throw error;
      report(onError, error);
      if (!(await pause(backoff, signal))) return;
      continue;
    }
    const stop = either(term.signal, signal);
    try {
      await work(stop.signal, term);
    } catch (error) {
      // An error out of `work` after the term ended or the loop was stopped is the abort it was
      // given; one while it still led is a fault of its own, not ours to hide.
      if (!term.lost && !aborted(signal)) {
        await term.resign().catch(() => false);
        throw error;
      }
    } finally {
      stop.clear();
    }
    // Work done or leadership lost: step down (a lost term is only marked released if still ours).
    await term.resign().catch((error: unknown) => report(onError, error));
    if (!(await pause(backoff, signal))) return;
  }
}

function report(onError: RunForeverOptions['onError'], error: unknown): void {
  try {
    onError?.(error);
  } catch {
    // A throwing listener must not end the service loop.
  }
}

/** Sleeps `ms`; false when the signal aborted meanwhile. */
async function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  try {
    await sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}

/** A signal that aborts when either does (with its reason); `clear` detaches it. */
function either(a: AbortSignal, b: AbortSignal | undefined): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const onA = (): void => controller.abort(a.reason);
  const onB = (): void => controller.abort(b?.reason);
  if (a.aborted) onA();
  else if (b?.aborted === true) onB();
  a.addEventListener('abort', onA, { once: true });
  b?.addEventListener('abort', onB, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      a.removeEventListener('abort', onA);
      b?.removeEventListener('abort', onB);
    },
  };
}

/** Read through a call, so that the compiler does not take one reading for the next. */
function aborted(signal: AbortSignal | undefined): boolean {
  return signal?.aborted === true;
}
