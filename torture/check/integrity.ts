import type { HistoryEvent } from '../history.js';
import type { Grant } from './grants.js';
import type { LeaseRecord } from './leases.js';
import { leaseKey, ofType, type Flag } from './types.js';

/**
 * The history must be whole before anything is concluded from it: a missing line can hide an
 * overlap as well as any event can show one. Every gap fails the run:
 * - `unreadable-line`: a line that did not parse (it was kept as an `unreadable` event);
 * - `sequence-gap`: a file whose `seq` numbers are not 0, 1, 2, ... (a line lost or repeated);
 * - `lost-events`: a file that ends before the last `seq` the orchestrator saw on its pipe, or a
 *   spawned worker with no file at all;
 * - `unknown-grant`: a holder's token that the server never granted on that lock.
 * (Orphan events, a lease's events without its acquisition, are flagged as the leases are built.)
 */
export function checkIntegrity(
  events: readonly HistoryEvent[],
  grants: Map<string, Grant[]>,
  leases: Map<string, LeaseRecord>,
  flag: Flag,
): void {
  if (
    ofType(events, 'run-start').length !== 1 ||
    ofType(events, 'final').length !== 1 ||
    ofType(events, 'run-end').length !== 1
  ) {
    flag('incomplete-history', 'the history needs exactly one run-start, final and run-end event', []);
  }
  for (const event of ofType(events, 'unreadable')) {
    flag(
      'unreadable-line',
      `${event.source} line ${event.line} is not an event: ${JSON.stringify(event.text)}`,
      [event],
    );
  }
  const bySource = new Map<string, number[]>();
  for (const event of events) {
    if (event.type === 'unreadable') continue;
    bySource.set(event.src, [...(bySource.get(event.src) ?? []), event.seq]);
  }
  for (const [source, seqs] of bySource) {
    seqs.sort((a, b) => a - b);
    const at = seqs.findIndex((seq, index) => seq !== index);
    if (at !== -1) {
      flag(
        'sequence-gap',
        `${source}: event seq ${seqs[at]} where ${at} was due (${seqs.length} events, last seq ${seqs.at(-1)})`,
        [],
      );
    }
  }
  const last = (source: string): number => (bySource.get(source)?.length ?? 0) - 1;
  for (const seen of ofType(events, 'seen')) {
    if (seen.maxSeq > last(seen.source)) {
      flag(
        'lost-events',
        `${seen.source}: the orchestrator saw seq ${seen.maxSeq} on its pipe, but the file ends at seq ${last(seen.source)}`,
        [seen],
      );
    }
  }
  for (const spawn of ofType(events, 'spawn')) {
    if (last(spawn.source) < 0)
      flag(
        'lost-events',
        `${spawn.source}: worker ${spawn.worker} (pid ${spawn.pid}) was spawned but wrote no event`,
        [spawn],
      );
  }
  for (const lease of leases.values()) {
    const chain = grants.get(lease.lock) ?? [];
    if (!chain.some((grant) => leaseKey(grant.lock, grant.token) === lease.key)) {
      flag(
        'unknown-grant',
        `${lease.src}: holds token ${lease.token} on ${lease.lock}, which the server never granted`,
        [lease.events[0]!],
      );
    }
  }
}
