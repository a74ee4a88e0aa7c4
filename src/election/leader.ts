import type { LockInfo } from '../core/lock-info.js';
import { isLive, type Observation, type StalenessTracker } from '../lease/observe.js';

/**
 * An election's leader, as anyone can read it: the term's holder, with its candidate name, since
 * when it leads, and the term's fencing token. Never includes an owner token.
 *
 * @example
 * ```ts
 * const leader = await election.leader();
 * if (leader) console.log(`${leader.candidate} leads since ${leader.since.toISOString()}, token ${leader.token}`);
 * ```
 */
export interface Leader extends LockInfo {
  /**
   * The leader's candidate name (`ElectionOptions.candidate`); for a holder that wrote none (a plain
   * `Lock` on the same object), its host and pid.
   */
  candidate: string;
  /** When this term began (server clock): the same as `acquiredAt`. */
  since: Date;
}

/** The leader an observation shows: a held term that has not expired, or `null`. */
export function leaderOf(observation: Observation, tracker: StalenessTracker): Leader | null {
  if (observation.state !== 'found' || !isLive(observation, tracker)) return null;
  const { info } = observation.record;
  return {
    ...info,
    candidate: info.candidate ?? `${info.host ?? 'unknown'}:${info.pid ?? 'unknown'}`,
    since: info.acquiredAt,
  };
}
