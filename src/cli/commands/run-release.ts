import type { Lease } from '../../lease/lease.js';
import { describeError } from '../errors.js';
import { formatDuration } from '../format.js';
import type { RunOutput } from '../run-output.js';
import type { RunPlan } from './run-args.js';
import type { SignalHandler } from './run-holding.js';

/**
 * Releases the lease without outstaying anyone's patience. The library bounds a release (a few
 * seconds, never past the lease's own deadline) and rejects when it gives up; SIGINT, SIGTERM or
 * SIGHUP abort it at once. Either way the lock is left to expire on its own, and one line says so,
 * and when. Resolves true when the release completed (the object deleted, or already gone), false
 * when the lock was left to expire.
 */
export async function releaseWithin(
  lease: Lease,
  plan: RunPlan,
  out: RunOutput,
  route: (handler: SignalHandler) => void,
): Promise<boolean> {
  const interrupt = new AbortController();
  let by: NodeJS.Signals | undefined;
  route((signal) => {
    if (signal !== 'SIGINT' && signal !== 'SIGTERM' && signal !== 'SIGHUP') return;
    by ??= signal;
    interrupt.abort(new Error(`interrupted by ${signal}`));
  });
  out.emit({ type: 'releasing', url: plan.url });
  const release = lease.release({ signal: interrupt.signal });
  // Whatever happens to a release we stopped waiting for is of no interest any more.
  release.catch(() => {});
  const interrupted = new Promise<'interrupted'>((resolve) => {
    interrupt.signal.addEventListener('abort', () => resolve('interrupted'), { once: true });
  });
  let failure: unknown;
  try {
    // Raced, not only passed on: the signal must end the wait even if the release ignores it.
    if ((await Promise.race([release.then(() => 'done' as const), interrupted])) === 'done') return true;
  } catch (error) {
    failure = error;
  }

  const expiresAt = out.expiresAt ?? (out.renewedAt === undefined ? undefined : out.renewedAt + plan.ttl);
  const at = expiresAt === undefined ? undefined : new Date(expiresAt).toISOString();
  const when =
    expiresAt === undefined
      ? 'within its ttl'
      : `by ${at} (in ${formatDuration(Math.max(0, expiresAt - Date.now()))})`;
  let message: string;
  if (by !== undefined) {
    message = `release of ${plan.url} interrupted by ${by}: the lock is left to expire ${when}`;
  } else {
    const cause = describeError(failure).message;
    // The library's message says "left to expire" itself: say it once, with the time.
    message = /left to expire/i.test(cause)
      ? `${cause}${at === undefined ? '' : ` (at ${at})`}`
      : `could not release ${plan.url} (${cause}); the lock is left to expire ${when}`;
  }
  out.emit({
    type: 'left-to-expire',
    reason: by !== undefined ? `interrupted by ${by}` : describeError(failure).message,
    expiresAt: at,
  });
  out.warn(message);
  return false;
}
