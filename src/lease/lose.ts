import { LockLostError, type LockLostReason } from '../errors/lock-lost-error.js';
import { monotonicNow } from '../util/clock.js';
import { lossDeadline, type LeaseState } from './lease-state.js';

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
  const { ctx } = state;
  const error = new LockLostError(
    ctx.url,
    state.generation,
    reason,
    message,
    cause === undefined ? undefined : { cause },
  );
  ctx.debug(`lost ${ctx.url} token ${state.generation}: ${message}`);
  state.controller.abort(error);
  ctx.emit({ type: 'lost', url: ctx.url, token: state.generation, error });
  try {
    ctx.options.onLost?.(error, { url: ctx.url, token: state.generation });
  } catch (listenerError) {
    ctx.debug(`onLost threw: ${String(listenerError)}`);
  }
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
