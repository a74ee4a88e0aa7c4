import { monotonicNow } from '../util/clock.js';
import { lossDeadline, type LeaseState } from './lease-state.js';
import { checkDeadline } from './lose.js';
import { refresh } from './refresh.js';
import { unwatch, watchForResume } from './resume-watch.js';

/**
 * Arms the lease's single timer for `at`, or for the loss deadline if that comes first. One timer per
 * held lease and none per idle lock, so thousands of locks in a process stay cheap. The timer is
 * not unref'd: like an open socket, a held lease keeps the process alive until it is released or
 * lost, so a program that only waits on `lease.signal` (a leader) does not exit under its lease.
 */
export function scheduleHeartbeat(state: LeaseState, at: number): void {
  clearTimeout(state.timer);
  state.timer = undefined;
  if (state.status !== 'held' || state.stopping) {
    unwatch(state);
    return;
  }
  watchForResume(state);
  const fireAt = Math.min(at, lossDeadline(state));
  state.timer = setTimeout(() => onHeartbeat(state), Math.max(0, fireAt - monotonicNow()));
}

function onHeartbeat(state: LeaseState): void {
  state.timer = undefined;
  checkDeadline(state);
  if (state.status !== 'held' || state.stopping) return;
  // A refresh still in flight (a slow request) owns the next step; keep only the deadline armed, so
  // a request that never answers cannot hold off the loss.
  if (state.inflight) {
    scheduleHeartbeat(state, lossDeadline(state));
    return;
  }
  scheduleHeartbeat(state, lossDeadline(state));
  state.inflight = refresh(state).finally(() => {
    state.inflight = undefined;
  });
}
