import { LockLostError, type LockLostReason } from '../errors/lock-lost-error.js';
import { monotonicNow } from '../util/clock.js';
import { ended, lossDeadline, tokenOf, type LeaseState } from './lease-state.js';
import { unwatch } from './resume-watch.js';

/**
 * Declares the lease lost, once: stops its timer, aborts `lease.signal` with a `LockLostError`,
 * reports the event and calls `onLost`. Never throws: loss is news for the holder, not an exception
 * out of band.
 */
export function declareLost(
  state: LeaseState,
  reason: LockLostReason,
  message: string,
  cause?: unknown,
): void {
  if (state.status !== 'held') return;
  state.status = 'lost';
  state.lostReason = reason;
  clearTimeout(state.timer);
  state.timer = undefined;
  unwatch(state);
  const { ctx } = state;
  const token = tokenOf(state);
  const error = new LockLostError(
    ctx.url,
    token,
    reason,
    message,
    cause === undefined ? undefined : { cause },
  );
  ctx.debug(`lost ${ctx.url} token ${token}: ${message}`);
  state.controller.abort(error);
  ctx.emit({ type: 'lost', url: ctx.url, token, error });
  try {
    ctx.options.onLost?.(error, { url: ctx.url, token });
  } catch (listenerError) {
    ctx.debug(`onLost threw: ${String(listenerError)}`);
  }
  ended(state);
}

/**
 * Declares the lease lost if its deadline has passed. Called by every synchronous accessor, so a
 * process that was paused past its deadline learns it before its next step, not only when its timer
 * gets to run.
 */
export function checkDeadline(state: LeaseState): void {
  if (state.status === 'held' && monotonicNow() >= lossDeadline(state)) {
    declareLost(
      state,
      'expired',
      'no refresh succeeded before the lease deadline (network trouble or a paused process)',
    );
  }
}
