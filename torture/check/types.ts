import type { HistoryEvent } from '../history.js';

export type ViolationKind =
  // The history itself: every gap is a failure of the run.
  | 'incomplete-history'
  | 'unreadable-line'
  | 'sequence-gap'
  | 'lost-events'
  | 'orphan-event'
  | 'unknown-grant'
  | 'duplicate-token'
  | 'token-order'
  // Safety, in server order.
  | 'held-past-expiry'
  | 'two-holders'
  | 'overlap'
  | 'acted-after-expiry'
  | 'acted-after-deadline'
  | 'missing-signal'
  // The counter, in server order.
  | 'lost-update'
  | 'phantom-write'
  | 'counter-order'
  | 'late-write'
  | 'orphan-write'
  | 'counter-token-order'
  | 'wrongly-fenced'
  // Fenced writes (compose pinned to the lock's generation), in server order.
  | 'stale-fenced-write'
  | 'wrongly-refused'
  | 'fence-mismatch'
  // Fair mode: ticket order and waiting.
  | 'queue-jump'
  | 'starvation'
  | 'idle-lock'
  // Liveness and leftovers.
  | 'unfinished-worker'
  | 'slow-takeover'
  | 'slow-release'
  | 'lock-left-behind'
  | 'ticket-left-behind'
  // Elections and semaphores (check/primitives.ts).
  | 'wrong-candidate'
  | 'slot-out-of-range'
  | 'too-many-permits'
  | 'slow-permit';

export interface Violation {
  kind: ViolationKind;
  message: string;
  /** The events that show it, for the report and for a human reading the history. */
  evidence: HistoryEvent[];
}

export type Flag = (kind: ViolationKind, message: string, evidence: HistoryEvent[]) => void;

export type Of<T extends HistoryEvent['type']> = Extract<HistoryEvent, { type: T }>;

export const ofType = <T extends HistoryEvent['type']>(
  events: readonly HistoryEvent[],
  type: T,
): Array<Of<T>> => events.filter((event): event is Of<T> => event.type === type);

export const leaseKey = (lock: string, token: string): string => `${lock}#${token}`;

/** Evidence lists stay readable: the first and last few events. */
export function clip(events: readonly HistoryEvent[], max = 16): HistoryEvent[] {
  return events.length <= max ? [...events] : [...events.slice(0, max / 2), ...events.slice(-max / 2)];
}

export const ms = (mono: number): string => `${(mono / 1000).toFixed(3)} s`;
