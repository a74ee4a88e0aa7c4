import type { HistoryEvent } from '../history.js';
import type { Grant } from './grants.js';
import { ms, ofType, type Flag, type Of } from './types.js';

export interface FencedFigures {
  /** Fenced writes GCS accepted (composes pinned to a lock's generation), in all. */
  accepted: number;
  /** Refused by GCS because the lock's generation had changed (412): a successor held it. */
  refused: number;
  /** Zombie writes (a holder stopped past its lease, resumed): sent, refused by GCS, accepted. */
  zombies: number;
  zombiesRefused: number;
  /** Accepted because nobody had taken the lock over yet: the lease expired, its generation stayed. */
  zombiesAcceptedBeforeSuccessor: number;
}

/**
 * Fenced writes (issue 12 §3), from the server's stamps of every compose whose first source is a lock
 * object, in server order:
 * - `stale-fenced-write`: a compose pinned to generation G of a lock was ACCEPTED after a successor's
 *   grant had replaced G (or while the lock object's live generation was another): the one thing a
 *   fenced write promises not to do, and what a zombie (a holder resumed past its lease) attempts;
 * - `wrongly-refused`: a compose refused with 412 while G was still the lock's live generation (our
 *   writes set no other precondition that could fail);
 * - `fence-mismatch`: a write pinned to a generation other than its writer's grant (the lease handed
 *   the wrong generation), or to none the lock ever had;
 * - `phantom-write`: a write the worker saw accepted that the server never accepted.
 */
export function checkFencedWrites(
  events: readonly HistoryEvent[],
  grants: Map<string, Grant[]>,
  flag: Flag,
): FencedFigures {
  const figures: FencedFigures = {
    accepted: 0,
    refused: 0,
    zombies: 0,
    zombiesRefused: 0,
    zombiesAcceptedBeforeSuccessor: 0,
  };
  const sent = new Map<string, Of<'fenced-write-sent'>>();
  for (const event of ofType(events, 'fenced-write-sent')) {
    sent.set(event.id, event);
    if (event.zombie) figures.zombies++;
  }
  const acceptedAt = new Set<string>();
  for (const stamp of ofType(events, 'server-compose')) {
    const chain = grants.get(stamp.lock) ?? [];
    const grant = chain.find((g) => g.generation === stamp.lockGeneration);
    const writer = sent.get(stamp.writer);
    const zombie = writer?.zombie === true;
    if (!grant || (writer && writer.token !== grant.token)) {
      flag(
        'fence-mismatch',
        `${stamp.lock}: fenced write ${stamp.writer} was pinned to generation ${stamp.lockGeneration}, ` +
          (grant
            ? `token ${grant.token}'s, but its writer held token ${writer?.token}`
            : 'which no grant had'),
        [...(writer ? [writer] : []), stamp],
      );
    }
    const successor = grant?.successor;
    const replaced = successor !== undefined && successor.start <= stamp.mono;
    if (stamp.outcome === 'accepted') {
      figures.accepted++;
      acceptedAt.add(stamp.writer);
      if (zombie && !replaced) figures.zombiesAcceptedBeforeSuccessor++;
      const live = stamp.liveGeneration === stamp.lockGeneration;
      if (replaced || !live) {
        flag(
          'stale-fenced-write',
          `${stamp.lock}: GCS accepted ${zombie ? "a zombie's" : 'a'} fenced write ${stamp.writer} of token ` +
            `${grant?.token ?? '?'} at ${ms(stamp.mono)}, pinned to generation ${stamp.lockGeneration}` +
            (replaced
              ? `, after token ${successor.token} was granted at ${ms(successor.start)}`
              : `, while the lock object's generation was ${stamp.liveGeneration ?? 'none'}`),
          [
            ...(grant ? [grant.commits[0]!.event] : []),
            ...(replaced ? [successor.commits[0]!.event] : []),
            stamp,
          ],
        );
      }
    } else if (stamp.status === 412) {
      figures.refused++;
      if (zombie) figures.zombiesRefused++;
      if (stamp.liveGeneration === stamp.lockGeneration) {
        flag(
          'wrongly-refused',
          `${stamp.lock}: fenced write ${stamp.writer} was refused (412) at ${ms(stamp.mono)} although ` +
            `generation ${stamp.lockGeneration} was still the lock's`,
          [...(writer ? [writer] : []), stamp],
        );
      }
    }
  }
  for (const event of ofType(events, 'fenced-write-accepted')) {
    if (acceptedAt.has(event.id)) continue;
    flag(
      'phantom-write',
      `${event.src}: fenced write ${event.id} was accepted, but the server never accepted it`,
      [event],
    );
  }
  return figures;
}
