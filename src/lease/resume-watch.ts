import type { LeaseState } from './lease-state.js';
import { checkDeadline } from './lose.js';

/** How often the process-wide watch looks for a jump of the elapsed clock (a resume from suspend). */
export const RESUME_CHECK_INTERVAL = 1_000;

const held = new Set<LeaseState>();
let timer: ReturnType<typeof setInterval> | undefined;

/**
 * Watches every held lease of the process with ONE unref'd interval timer, so that after a suspend
 * (the elapsed clock jumps while timers, which run on the monotonic clock, do not) each lease's deadline
 * is checked within a second of the resume, and `lease.signal` fires then rather than at the next
 * refresh. A lease's own timer is not enough: it was armed in monotonic time, which stood still while
 * the machine was suspended. A check is one comparison, so a thousand leases cost nothing.
 */
export function watchForResume(state: LeaseState): void {
  held.add(state);
  if (timer) return;
  timer = setInterval(tick, RESUME_CHECK_INTERVAL);
  timer.unref?.();
}

export function unwatch(state: LeaseState): void {
  held.delete(state);
  if (held.size === 0 && timer) {
    clearInterval(timer);
    timer = undefined;
  }
}

function tick(): void {
  for (const state of [...held]) {
    checkDeadline(state);
    if (state.status !== 'held') unwatch(state);
  }
}
