import type { HistoryEvent, RunConfig } from '../history.js';
import type { Grant } from './grants.js';
import { deadlineAt, type LeaseRecord } from './leases.js';
import { ms, ofType, type Flag, type Of } from './types.js';

/**
 * Liveness and leftovers:
 * - every worker slot finished (`unfinished-worker`);
 * - after a SIGKILL of a holder (or of gcs-lock), and after storage failed a holder's release, the
 *   lock was granted again within ttl + one poll + slack of the moment someone wanted it
 *   (`slow-takeover`);
 * - a release ended by the lease's deadline, however storage behaved (`slow-release`; `pollMax` of
 *   scheduling slack): issue 10 #8 and spec §7 bound it by the time left, so a lease that expired
 *   before its release has none to retry in;
 * - at the end no lock object is still held and unexpired, and no waiter's ticket is live.
 */
export function checkLiveness(
  events: readonly HistoryEvent[],
  config: RunConfig,
  grants: Map<string, Grant[]>,
  leases: Map<string, LeaseRecord>,
  final: Of<'final'> | undefined,
  flag: Flag,
): void {
  const done = new Set(
    ofType(events, 'done')
      .filter((event) => event.src.startsWith('w') || event.src.startsWith('c'))
      .map((event) => event.worker),
  );
  for (let worker = 0; worker < config.workers; worker++) {
    if (!done.has(worker)) flag('unfinished-worker', `worker ${worker} never finished`, []);
  }
  const bound = config.ttl + config.pollMax + config.slackMs;
  const end = ofType(events, 'run-end')[0]?.mono ?? Infinity;
  const outages = ofType(events, 'fault').filter(
    (event) => event.kind === 'release-outage' && event.lock !== undefined,
  );
  const attempts = events.filter((event) => event.type === 'acquire-attempt' || event.type === 'cli-start');
  for (const trigger of [...ofType(events, 'kill'), ...outages]) {
    const lock = trigger.lock!;
    // Liveness needs a waiter (spec §12): the clock starts when someone wants the lock.
    const wanted = attempts.find((event) => event.lock === lock && event.mono >= trigger.mono);
    if (!wanted) continue;
    const from = Math.max(trigger.mono, wanted.mono);
    const next = (grants.get(lock) ?? []).find((grant) => grant.start > trigger.mono);
    const waited = (next?.start ?? end) - from;
    if (waited > bound) {
      const what =
        trigger.type === 'kill'
          ? `worker ${trigger.worker}'s ${trigger.during} was killed`
          : `the release of token ${trigger.token} met an outage`;
      flag(
        'slow-takeover',
        `${lock}: ${next ? `next grant ${Math.round(waited)} ms` : 'no grant'} after ${what} and ${wanted.src} wanted it ` +
          `(bound ${bound} ms)`,
        next ? [trigger, wanted, next.commits[0]!.event] : [trigger, wanted],
      );
    }
  }
  for (const lease of leases.values()) {
    if (lease.releaseAt === undefined || lease.releasedAt === undefined) continue;
    const deadline = deadlineAt(lease, lease.releaseAt) ?? lease.releaseAt;
    const allowed = Math.max(0, deadline - lease.releaseAt) + config.pollMax;
    const took = lease.releasedAt - lease.releaseAt;
    if (took > allowed) {
      flag(
        'slow-release',
        `worker ${lease.worker} (${lease.src}): releasing token ${lease.token} took ${Math.round(took)} ms from ${ms(lease.releaseAt)}, ` +
          `past its lease's deadline ${ms(deadline)}` +
          (deadline <= lease.releaseAt ? ' (the lease had expired already: no time was left to retry)' : ''),
        lease.events.filter((event) => event.mono >= Math.min(lease.releaseAt!, lease.lostAt ?? Infinity)),
      );
    }
  }
  for (const lock of final?.locks ?? []) {
    if (lock.state === 'held' && !lock.expired) {
      flag(
        'lock-left-behind',
        `${lock.name} (generation ${lock.generation}) is still held, and not expired, at the end`,
        [final!],
      );
    }
  }
  if (final && final.liveTickets.length > 0) {
    flag('ticket-left-behind', `waiters' tickets still live at the end: ${final.liveTickets.join(', ')}`, [
      final,
    ]);
  }
}
